import HearthCore
import NIOCore
import Synchronization

/// What `ChatSocketController.shouldUpgrade` found for an accepted upgrade (the room, and the
/// user as stored now), handed to the socket's handler so it need not read them again.
/// hummingbird-websocket gives `shouldUpgrade` no way to pass values on, so they wait here,
/// keyed by connection, until the handler takes them or the connection closes.
final class UpgradeGrants: Sendable {
    struct Grant: Sendable {
        let room: Room
        let user: User
    }

    private let grants = Mutex<[ObjectIdentifier: Grant]>([:])

    func record(_ grant: Grant, for channel: any Channel) {
        let id = ObjectIdentifier(channel)
        grants.withLock { $0[id] = grant }
        // A connection that closes before its handler runs leaves nothing behind.
        channel.closeFuture.whenComplete { [self] _ in _ = take(for: id) }
    }

    func take(for channel: ObjectIdentifier) -> Grant? {
        grants.withLock { $0.removeValue(forKey: channel) }
    }
}
