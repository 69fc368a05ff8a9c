from tests.conftest import service_body


def test_create_and_list(client, admin, settle):
    p = admin.project()
    r = client.post(f"/v2/{p}/services", json=service_body(), headers=admin.headers())
    assert r.status_code == 200, r.text
    settle()
    r = client.get(f"/v1/{p}/maas/services/custom-endpoint/services/ap-southeast-1", headers=admin.headers())
    assert r.json()["data"][0]["status"] == "RUNNING"
