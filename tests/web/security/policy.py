"""The Content-Security-Policy every page and API response carries, read back from a response's header."""

from web.apidocs.views import REDOC_BUNDLE_STYLES

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


# The one page whose styles come with a nonce (ReDoc writes <style> elements, web/apidocs/views.py).
STYLE_NONCE_PAGES = {"/api/redoc/"}


def assert_strict_policy(response, *, style_nonce: bool = False) -> None:
    """The policy of every page; ``style_nonce`` allows (and then requires) one nonce in ``style-src``, and the
    hashes of the two style sheets ReDoc's bundle writes before it has the nonce (web/apidocs/views.py)."""
    policy = policy_of(response)
    if style_nonce:
        nonces = {source for source in policy.get("style-src", set()) if source.startswith("'nonce-")}
        assert len(nonces) == 1, policy
        assert set(REDOC_BUNDLE_STYLES) <= policy["style-src"], policy
        policy["style-src"] -= nonces | set(REDOC_BUNDLE_STYLES)
    assert policy == EXPECTED_POLICY, policy
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-" not in header and ("nonce-" not in header or style_nonce), header
