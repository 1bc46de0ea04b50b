import Foundation
import HearthCore
import HearthPostgres
import HearthStorage
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle
import NIOCore
import NIOWebSocket

/// `/rooms/{name}/ws`: the live side of a room. The protocol is in docs/PROTOCOL.md.
struct ChatSocketController: Sendable {
    /// Frames larger than this get an error frame.
    static let maxFrameBytes = 64 * 1024
    /// Frames larger than this close the socket with 1009 at once.
    static let hardFrameLimit = 1 << 20
    /// Invalid frames a connection may send before it is closed.
    static let strikesAllowed = 3
    /// How long a client has to answer the server's close frame.
    static let closeGrace = Duration.seconds(3)
    /// Catch-up is read from the database in pages of this many messages.
    static let catchUpPage = 500

    let hub: ChatHub
    let users: any UserRepository
    let rooms: any RoomRepository
    let messages: any MessageRepository
    let refusals: UpgradeRefusals
    let grants = UpgradeGrants()
    var commands: CommandHandler { CommandHandler(users: users, rooms: rooms, hub: hub) }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.ws("/rooms/:name/ws", shouldUpgrade: shouldUpgrade) { inbound, outbound, context in
            try await handle(inbound: inbound, outbound: outbound, context: context)
        }
    }

    /// Upgrades only a logged-in, same-origin request for a room that exists and has not banned
    /// the user; anything else is refused with 401, 403 or 404, without upgrading.
    @Sendable func shouldUpgrade(_ request: Request, context: AppRequestContext) async throws -> RouterShouldUpgrade {
        func refuse(_ status: HTTPResponse.Status, _ message: String) -> HTTPError {
            if request.headers[.upgrade]?.lowercased() == "websocket" {
                refusals.record(status, for: context.channelID)
            }
            return HTTPError(status, message: message)
        }
        guard let user = context.session?.user else {
            throw refuse(.unauthorized, "Log in to chat.")
        }
        guard Self.isSameOrigin(request) else {
            throw refuse(.forbidden, "WebSocket connections must come from this site.")
        }
        guard let name = context.parameters.get("name"), let room = try await rooms.find(name: name) else {
            throw refuse(.notFound, "No such room.")
        }
        guard let entered = try await rooms.enter(roomID: room.id, userID: user.id) else {
            throw refuse(.unauthorized, "Log in to chat.")
        }
        guard !entered.banned else {
            throw refuse(.forbidden, "You are banned from this room.")
        }
        grants.record(.init(room: room, user: entered.user), for: context.channel)
        return .upgrade([:])
    }

    /// The `Origin` header must name the host the request was sent to.
    static func isSameOrigin(_ request: Request) -> Bool {
        guard let origin = request.headers[.origin], let host = request.head.authority else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    func handle(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, context: WebSocketRouterContext<AppRequestContext>) async throws {
        guard let grant = grants.take(for: context.requestContext.channelID) else { return }
        let (room, user) = (grant.room, grant.user)
        let after = context.request.uri.queryParameters.get("after").flatMap { Int64($0) }
        let connection = try await ChatConnection.attach(
            to: context.requestContext.channel, user: user, capacity: hub.limits.outboundQueueCapacity
        )
        let channel = hub.channel(for: room)
        await channel.prime()
        connection.send(FrameEncoder.encode(.notice("Welcome to \(room.name), \(user.displayName)! Type /help to see what you can do here.")))
        // Registered before catch-up is read, so nothing committed meanwhile can be missed:
        // live frames wait until catch-up is written, and what it sent is skipped.
        await channel.connect(connection)
        let logger = context.logger

        hub.metrics.connectionOpened()
        defer { hub.metrics.connectionClosed() }
        await withGracefulShutdownHandler {
            await serve(connection, inbound: inbound, outbound: outbound, channel: channel, room: room, after: after, logger: logger)
        } onGracefulShutdown: {
            connection.goAway()
        }
        await channel.disconnect(connection)
    }

    /// Sends the catch-up and `ready`, then reads the client's frames until it goes away.
    /// Live frames are written by the room. Everything runs in the socket's own task: an idle
    /// connection costs no task of its own beyond it.
    private func serve(
        _ connection: ChatConnection, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
        channel: RoomChannel, room: Room, after: Int64?, logger: Logger
    ) async {
        // When the server ends the connection (removed by a moderator, instance shutting down)
        // the socket is closed with the matching code; the client's close ends the read loop.
        // A client cut off as too slow has had its socket closed already.
        connection.onEnd { ending in
            let code: WebSocketErrorCode
            let reason: String
            switch ending {
            case .removed(let removal, let text):
                (code, reason) = (.unknown(removal), String(text.utf8.prefix(120)) ?? "removed")
            case .goingAway:
                (code, reason) = (.goingAway, "server shutting down; reconnect")
            case .overflowed:
                logger.notice("dropped a client that could not keep up", metadata: ["room": "\(room.id)", "user": "\(connection.user.id)"])
                return
            }
            Task { try? await outbound.close(code, reason: reason) }
            // A client that does not answer the close (the writer waits for its answer) is
            // cut off, which also ends the read loop.
            Task {
                try? await Task.sleep(for: Self.closeGrace)
                connection.closeSocket()
            }
        }
        do {
            var lastSent = after ?? 0
            if let after {
                var cursor = after
                while true {
                    let missed = try await messages.after(roomID: room.id, viewerID: connection.user.id, position: cursor, limit: Self.catchUpPage)
                    try await connection.catchUp(missed.map { FrameEncoder.encode(.message($0)) })
                    guard let last = missed.last else { break }
                    cursor = last.position
                    lastSent = last.position
                }
            }
            connection.goLive(ready: FrameEncoder.encode(.ready(position: lastSent)), lastSent: lastSent)
        } catch {
            logger.debug("could not send the catch-up", metadata: ["error": "\(error)"])
            try? await outbound.close(.unexpectedServerError, reason: "catch-up failed; reconnect")
        }
        await readFrames(from: inbound, outbound: outbound, connection: connection, channel: channel, room: room)
    }

    // MARK: - Reading

    private func readFrames(from inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, connection: ChatConnection, channel: RoomChannel, room: Room) async {
        var strikes = 0
        var reason: (WebSocketErrorCode, String)?
        var iterator = inbound.makeAsyncIterator()
        do {
            while let frame = try await iterator.nextFrame(maxSize: Self.hardFrameLimit) {
                let refusal = await receive(frame, connection: connection, channel: channel, room: room)
                guard let refusal else { continue }
                connection.send(FrameEncoder.encode(.error(code: refusal.code, message: refusal.message)))
                if refusal.isAbuse { strikes += 1 }
                if strikes >= Self.strikesAllowed {
                    reason = refusal.code == "frame_too_large" ? (.messageTooLarge, "frames too large") : (.policyViolation, "too many invalid frames")
                    break
                }
            }
        } catch {
            reason = (.messageTooLarge, "frame over \(Self.hardFrameLimit) bytes")
        }
        if let (code, text) = reason {
            // Give the writer a moment to send the last error frame before closing.
            try? await Task.sleep(for: .milliseconds(50))
            try? await outbound.close(code, reason: text)
        }
    }

    /// Why a frame was refused: an error frame's code and text, and whether it counts as abuse.
    struct Refusal {
        let code: String
        let message: String
        var isAbuse = false
    }

    private func receive(_ frame: InboundFrame, connection: ChatConnection, channel: RoomChannel, room: Room) async -> Refusal? {
        let bytes: ByteBuffer
        switch frame {
        case .binary:
            return Refusal(code: "binary_refused", message: "Binary frames are not accepted; send JSON text frames.", isAbuse: true)
        case .text(let buffer):
            bytes = buffer
        }
        guard bytes.readableBytes <= Self.maxFrameBytes else {
            return Refusal(code: "frame_too_large", message: "Frames can be at most \(Self.maxFrameBytes / 1024) KiB.", isAbuse: true)
        }
        guard let text = String(validating: bytes.readableBytesView, as: UTF8.self) else {
            return Refusal(code: "invalid_utf8", message: "Text frames must be valid UTF-8.", isAbuse: true)
        }
        let clientFrame: ClientFrame
        do {
            clientFrame = try JSONDecoder().decode(ClientFrame.self, from: Data(text.utf8))
        } catch {
            return Refusal(code: "invalid_frame", message: "Frames must be JSON objects like {\"type\":\"send\",\"body\":\"hello\"}.", isAbuse: true)
        }
        switch clientFrame {
        case .send(let body):
            return await send(body, from: connection, channel: channel, room: room)
        }
    }

    private func send(_ body: String, from connection: ChatConnection, channel: RoomChannel, room: Room) async -> Refusal? {
        do {
            if let command = try SlashCommand.parse(body) {
                guard hub.allowSend(userID: connection.user.id) else {
                    return Refusal(code: "rate_limited", message: "Slow down: you are sending messages too fast.")
                }
                try await commands.run(command, from: connection, in: channel)
                return nil
            }
        } catch let error as ValidationError {
            return Refusal(code: "command", message: error.message)
        } catch {
            return Refusal(code: "not_sent", message: "That command could not be carried out; try again.")
        }
        let checked: String
        do {
            checked = try MessageRules.validate(body)
        } catch let error as ValidationError {
            return Refusal(code: "invalid_message", message: error.message)
        } catch {
            return Refusal(code: "invalid_message", message: "That message cannot be sent.")
        }
        guard hub.allowSend(userID: connection.user.id) else {
            return Refusal(code: "rate_limited", message: "Slow down: you are sending messages too fast.")
        }
        await channel.submit(NewMessage(roomID: room.id, author: connection.user, kind: .text, body: checked), from: connection)
        return nil
    }
}
