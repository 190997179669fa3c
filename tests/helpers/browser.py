"""The OAuth sign-in and consent as a browser goes through them, and the marks of the tests
that run Debian's chromium."""

import shutil
from urllib.parse import urljoin

import pytest
import requests

from tests.pluginmeta.conftest import CHROMIUM, PASSWORD, csrf_token_of, form_fields, use_loopback

# The browser tests: chromium must be there (CI installs it), and the server they drive reads
# the database from another thread.
IN_CHROMIUM = [
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None,
        reason=f"{CHROMIUM} is missing (apt-get install chromium); CI installs it",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in_and_approve(origin: str, authorization_url: str, username: str) -> str:
    """The user's browser: sign in, approve; returns the redirect back to ChatGPT."""
    browser = use_loopback(requests.Session())
    url = authorization_url
    for _ in range(10):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 302:
            url = urljoin(origin, response.headers["Location"])
            continue
        page = response.text
        assert response.status_code == 200, page
        if 'name="password"' in page:  # the sign-in page
            response = browser.post(
                url,
                data={
                    "csrfmiddlewaretoken": csrf_token_of(page),
                    "username": username,
                    "password": PASSWORD,
                    "next": form_fields(page)["next"],
                },
                allow_redirects=False,
                timeout=10,
            )
            assert response.status_code == 302, response.text
            url = urljoin(origin, response.headers["Location"])
            continue
        # The consent page: press Allow.
        assert "Allow" in page
        response = browser.post(
            url, data={**form_fields(page), "allow": "true"}, allow_redirects=False, timeout=10
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]
    raise AssertionError("the flow did not reach the consent page")
