import HTTPTypes
import HearthCore
import Hummingbird

/// What Hearth believes about where a request came from. `X-Forwarded-*` headers are believed
/// only when the TCP peer is one of the configured trusted proxies; anyone else could forge them.
struct ClientAddress: Sendable {
    let trustedProxies: Set<String>

    /// The client's address: the peer, or the nearest untrusted address a trusted proxy forwarded.
    func address(of request: Request, context: AppRequestContext) -> String {
        let peer = context.peerAddress ?? "unknown"
        guard trustedProxies.contains(peer), let forwarded = request.headers[.xForwardedFor] else { return peer }
        let chain = forwarded.split(separator: ",").map { String($0).trimmingWhitespace() }
        return chain.last(where: { !trustedProxies.contains($0) }) ?? chain.first ?? peer
    }

    /// Whether the browser reached us over HTTPS (a trusted proxy terminated TLS).
    func isHTTPS(_ request: Request, context: AppRequestContext) -> Bool {
        guard let peer = context.peerAddress, trustedProxies.contains(peer) else { return false }
        return request.headers[.xForwardedProto]?.lowercased() == "https"
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
}
