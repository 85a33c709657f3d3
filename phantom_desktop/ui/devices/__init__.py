"""The Devices tab: devices, their tokens and the dialogs that change them."""
