"""The nginx config: the one template, rendered for this host by `cluster up` and for compose.yaml as
deploy/nginx.conf (kept equal to the rendering here)."""

from __future__ import annotations

from pathlib import Path

from openmaas_cli.cluster import local_values, render, upstream_lines

DEPLOY_CONF = Path(__file__).parents[2] / "deploy" / "nginx.conf"
# For the official nginx image: compose's DNS name `openmaas` stands for every replica.
CONTAINER_VALUES = {
    "user": "user nginx;",
    "pid_file": "/tmp/nginx.pid",
    "error_log": "/dev/stderr",
    "access_log": "/dev/stdout",
    "temp_dir": "/tmp",
    "client_max_body_size": "17825792",
    "servers": upstream_lines(["openmaas:8080"]),
    "listen": "8080",
}


def test_deploy_nginx_conf_is_the_template_rendered_for_compose() -> None:
    # To write it again: DEPLOY_CONF.write_text(render(CONTAINER_VALUES)).
    assert DEPLOY_CONF.read_text() == render(CONTAINER_VALUES)


def test_only_idempotent_requests_are_retried_and_the_data_plane_streams(tmp_path: Path) -> None:
    config = render(local_values(tmp_path, 8080, [9001, 9002, 9003]))
    assert "proxy_next_upstream error timeout http_502;" in config
    # With `non_idempotent`, nginx would send a POST that reached a dying server to another one.
    directives = [line for line in config.splitlines() if not line.strip().startswith("#")]
    assert not [line for line in directives if "non_idempotent" in line]
    assert config.count("server 127.0.0.1:") == 3
    assert "listen 127.0.0.1:8080;" in config
    assert "keepalive 32;" in config
    streaming = config.split("location ~ ^/(v1|v2|openai/v1)/(chat/completions|completions|embeddings)$")[1]
    assert "proxy_buffering off;" in streaming.split("}")[0]
    assert f"pid {tmp_path / 'nginx.pid'};" in config
