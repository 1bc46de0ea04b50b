import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Synchronization

/// Why WebSocket upgrades were refused, so the refusal can carry its real status.
///
/// hummingbird-websocket 2.8.1 answers every refused upgrade with a bare 400
/// (`HTTP1WebSocketUpgradeChannel.writeFailedUpgrade`). `ChatSocketController.shouldUpgrade`
/// records the status it meant (401, 403, 404) for the connection, and
/// ``FailedUpgradeStatusHandler`` puts it on that 400 as it goes out.
final class UpgradeRefusals: Sendable {
    private let statuses = Mutex<[ObjectIdentifier: HTTPResponse.Status]>([:])

    func record(_ status: HTTPResponse.Status, for channel: ObjectIdentifier) {
        statuses.withLock { $0[channel] = status }
    }

    func take(for channel: ObjectIdentifier) -> HTTPResponse.Status? {
        statuses.withLock { $0.removeValue(forKey: channel) }
    }
}

/// Rewrites the framework's 400 for a refused upgrade to the status Hearth recorded.
final class FailedUpgradeStatusHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let refusals: UpgradeRefusals

    init(refusals: UpgradeRefusals) {
        self.refusals = refusals
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var part = unwrapOutboundIn(data)
        if case .head(var response) = part, response.status == .badRequest,
           let status = refusals.take(for: ObjectIdentifier(context.channel)) {
            response.status = status
            part = .head(response)
        }
        context.write(wrapOutboundOut(part), promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        _ = refusals.take(for: ObjectIdentifier(context.channel))
    }
}
