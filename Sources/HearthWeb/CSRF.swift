import Hummingbird

/// Checks the CSRF token a state-changing form carries against the visitor's session.
/// - Throws: 403 when the token is missing or does not match.
func requireCSRF(_ token: String?, context: AppRequestContext) throws {
    guard let expected = context.session?.csrfToken, let token, constantTimeEqual(token, expected) else {
        throw HTTPError(.forbidden, message: "This form has expired or did not come from Hearth. Reload the page and try again.")
    }
}

private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let a = Array(a.utf8), b = Array(b.utf8)
    guard a.count == b.count else { return false }
    return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}
