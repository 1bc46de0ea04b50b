import Foundation
import Hummingbird

extension Response {
    /// A 303 redirect (after a form post, the browser follows with GET).
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }
}

/// Where to send a visitor after logging in: only a path on this site, never another host.
func safeNextPath(_ next: String?) -> String {
    guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\") else { return "/rooms" }
    return next
}

/// The login page's URL, remembering where to come back to.
func loginPath(returningTo path: String) -> String {
    var components = URLComponents()
    components.path = "/login"
    components.queryItems = [URLQueryItem(name: "next", value: path)]
    return components.string ?? "/login"
}
