"""A broker that wants TLS and a password: the source connects with the CA, user name and
password of the settings, and says plainly when the broker refuses it."""

from __future__ import annotations

import getpass
import shutil
import socket
import subprocess

import pytest

from phantom_desktop.ingest.mqtt.config import BrokerConfig, PlugConfig
from phantom_desktop.ingest.mqtt.source import MqttSource
from tests.ingest.mqtt.mqtt_helpers import Publisher, stored
from tests.ingest.support import wait_until

pytestmark = pytest.mark.mqtt


@pytest.fixture
def tls_broker(tmp_path):
    """Mosquitto on TLS only (a self-signed CA), with user `phantom`, password `s3cret`."""
    for tool in ("mosquitto", "mosquitto_passwd", "openssl"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    d = tmp_path / "tls"
    d.mkdir()
    run = lambda *args: subprocess.run(args, cwd=d, check=True, capture_output=True)  # noqa: E731
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=phantom test CA")  # fmt: skip
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key",
        "-out", "server.csr", "-subj", "/CN=localhost")  # fmt: skip
    (d / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext")  # fmt: skip
    run("mosquitto_passwd", "-c", "-b", "passwords", "phantom", "s3cret")
    for name in ("server.key", "passwords"):
        (d / name).chmod(0o644)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (d / "m.conf").write_text(
        f"listener {port} 127.0.0.1\ncafile {d}/ca.crt\ncertfile {d}/server.crt\n"
        f"keyfile {d}/server.key\nallow_anonymous false\npassword_file {d}/passwords\n"
        f"user {getpass.getuser()}\n"
    )
    process = subprocess.Popen(["mosquitto", "-c", str(d / "m.conf")], stderr=subprocess.PIPE)

    def listening() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return False
        return True

    wait_until(listening, 10, "the TLS broker")
    yield port, str(d / "ca.crt")
    process.terminate()
    process.wait(10)


def test_tls_with_a_password_reads_the_plug(tls_broker, make_device, services, prefix):
    port, ca = tls_broker
    device_id, [port_id] = make_device(1, auto_cut=False)
    plug = PlugConfig.from_dict(
        {
            "name": "p",
            "kind": "tasmota",
            "topic": prefix,
            "device_id": device_id,
            "channels": {"1": port_id},
        }
    )
    broker = BrokerConfig(f"mqtts://127.0.0.1:{port}", f"t-{prefix}", "phantom", "s3cret", ca)
    source = MqttSource(broker, [plug], services.writer, backoff=(1, 2))
    source.start()
    try:
        wait_until(lambda: source.status.state == "connected", 10, "a TLS connection")
        publisher = Publisher(
            f"mqtt://127.0.0.1:{port}", prefix, tls_ca=ca, auth=("phantom", "s3cret")
        )
        try:
            publisher.publish(range(1, 6))
        finally:
            publisher.close()
        wait_until(lambda: len(stored(services, port_id)) == 5, 10, "the readings")
    finally:
        source.stop()


def test_a_wrong_password_is_said_in_words(tls_broker, services, make_device, prefix):
    port, ca = tls_broker
    device_id, [port_id] = make_device(1, auto_cut=False)
    plug = PlugConfig("p", "tasmota", prefix, device_id, {1: port_id})
    broker = BrokerConfig(f"mqtts://127.0.0.1:{port}", f"t-{prefix}", "phantom", "wrong", ca)
    source = MqttSource(broker, [plug], services.writer, backoff=(1, 2))
    source.start()
    try:
        wait_until(lambda: source.status.state == "error", 10, "the refusal")
        assert "refused" in source.status.reason and "Not authorized" in source.status.reason
    finally:
        source.stop()
