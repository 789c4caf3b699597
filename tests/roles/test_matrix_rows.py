"""The matrix's rows as written in Python: URLs from parts reversed once."""

import pytest
from django.urls import reverse

from roles.templatetags.matrix_rows import url_parts


@pytest.mark.parametrize("slug", ["lakeside", "d-987654321", "987654322-987654321"])
def test_row_urls_joined_from_their_parts_are_the_reversed_urls(slug):
    start, middle, end = url_parts("roles:ownership-set", slug, 2)
    assert f"{start}12{middle}345{end}" == reverse(
        "roles:ownership-set", args=[slug, 12, 345]
    )
    start, end = url_parts("roles:responsibility-history", slug, 1)
    assert f"{start}7{end}" == reverse("roles:responsibility-history", args=[slug, 7])
