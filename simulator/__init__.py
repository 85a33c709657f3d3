"""Stand-alone device simulator for Phantom Desktop: appliances on metered smart plugs.

It talks to the app only through its HTTP contract and never imports `phantom_desktop`.
Programmatic use: `await simulator.http_client.run_devices(url, devices, interval, count)`.
"""
