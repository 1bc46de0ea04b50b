import Foundation
import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context every Hearth route sees: Hummingbird's core storage, the WebSocket
/// handler slot, the peer's address and the visitor's session (set by ``SessionMiddleware``).
public struct AppRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    /// The TCP peer: the browser, or the proxy in front of Hearth.
    public let peerAddress: String?
    /// The connection the request arrived on (chat sockets write to it directly).
    let channel: any Channel
    var channelID: ObjectIdentifier { ObjectIdentifier(channel) }
    /// The visitor's session, when their cookie names a live one.
    public var session: Session?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        peerAddress = source.channel.remoteAddress?.ipAddress
        channel = source.channel
    }

    /// Forms arrive URL-encoded, API calls as JSON.
    public var requestDecoder: FormOrJSONDecoder { FormOrJSONDecoder() }
}

/// Decodes a request body as a URL-encoded form or JSON, by its content type.
public struct FormOrJSONDecoder: RequestDecoder {
    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        if request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
            return try await URLEncodedFormDecoder().decode(type, from: request, context: context)
        }
        return try await JSONDecoder().decode(type, from: request, context: context)
    }
}
