"""The Content-Security-Policy every page and API response carries, read back from a response's header."""

# The policy of iom/settings.py, directive by directive, written out again so a change there is a change here.
EXPECTED_POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}


def policy_of(response) -> dict[str, set[str]]:
    """The response's Content-Security-Policy as {directive: {sources}}."""
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: set(sources) for name, *sources in directives}


def assert_strict_policy(response) -> None:
    policy = policy_of(response)
    assert policy == EXPECTED_POLICY, policy
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-" not in header and "nonce-" not in header, header
