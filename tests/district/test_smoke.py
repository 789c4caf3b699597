def test_home_redirects_anonymous_to_login(client_for):
    response = client_for(None).get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_home_lists_members_district(client_for, viewer, district, other_district):
    response = client_for(viewer).get("/")
    assert response.status_code == 200
    assert district.name in response.content.decode()
    assert other_district.name not in response.content.decode()
