"""register_chatgpt_client refuses README's placeholders and URLs where a hostname belongs."""

import pytest
from django.core.management.base import CommandError
from oauth2_provider.models import get_application_model

from tests.conftest import OAUTH_HOST
from tests.pluginmeta.conftest import CHATGPT_REDIRECT, command_output

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "args",
    [
        ["--redirect-uri", "https://chat.openai.com/aip/<plugin-id>/oauth/callback"],
        ["--redirect-uri", "https://chatgpt.com/aip/g-<gpt-id>/oauth/callback"],
        ["--redirect-uri", CHATGPT_REDIRECT, "--verification-token", "<token from ChatGPT>"],
    ],
)
def test_a_readme_placeholder_is_refused_in_one_line_and_registers_nothing(oauth_plugin, args):
    with pytest.raises(CommandError) as refusal:
        command_output("register_chatgpt_client", OAUTH_HOST, *args)
    message = str(refusal.value)
    assert "placeholder" in message
    assert "\n" not in message
    assert not get_application_model().objects.exists()
    oauth_plugin.refresh_from_db()
    assert oauth_plugin.verification_token == ""


def test_a_url_for_the_host_names_the_hostname_to_give(oauth_plugin):
    with pytest.raises(CommandError) as refusal:
        command_output(
            "register_chatgpt_client",
            f"http://{OAUTH_HOST}:8000",
            "--redirect-uri",
            CHATGPT_REDIRECT,
        )
    assert str(refusal.value).endswith(f"without scheme, port or path: {OAUTH_HOST}")
    assert not get_application_model().objects.exists()
