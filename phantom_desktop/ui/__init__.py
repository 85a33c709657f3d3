"""The Qt window: live plot, ports table, alerts. Consumes the store and the live feed only."""
