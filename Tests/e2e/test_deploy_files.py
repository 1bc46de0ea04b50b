"""The packaging files: there is no Docker engine here, so compose is checked with `config`."""
import subprocess

import yaml

from hearth_process import ROOT


def test_compose_file_is_valid_and_complete():
    result = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert {"postgres", "redis", "migrate", "hearth1", "hearth2", "nginx"} <= set(services)
    assert services["migrate"]["command"] == ["migrate"]
    assert services["hearth1"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert any("deploy/nginx.conf" in str(volume) for volume in services["nginx"]["volumes"])
    assert "healthcheck" in services["postgres"]
    assert "postgres-data" in config["volumes"]


def test_dockerfile_runs_as_a_user_with_a_healthcheck():
    dockerfile = (ROOT / "deploy/Dockerfile").read_text()
    assert "FROM swift:6.3" in dockerfile
    assert "\nUSER hearth" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    # The migrations ship as a resource bundle next to the binary.
    assert "hearth_HearthStorage.resources" in dockerfile
