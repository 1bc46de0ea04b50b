import Foundation
import HearthRedis
import Logging
import ServiceLifecycle

/// Feeds room events published by other instances into this instance's hub, and keeps this
/// instance's presence entries alive.
struct RoomEventListener: Service {
    let subscriber: RedisSubscriber
    let hub: ChatHub
    let prefix: String
    let logger: Logger

    func run() async throws {
        subscriber.psubscribe(RoomEvent.pattern(prefix: prefix))
        let heartbeat = Task { await hub.runPresenceHeartbeat() }
        defer { heartbeat.cancel() }
        var lostEvents = false
        await withGracefulShutdownHandler {
            for await event in subscriber.events {
                switch event {
                case .patternMessage(_, _, let payload):
                    guard let events = try? JSONDecoder().decode([RoomEvent].self, from: Data(payload)) else {
                        logger.warning("ignoring malformed room events")
                        continue
                    }
                    await hub.receive(events)
                case .disconnected:
                    lostEvents = true
                case .subscribed:
                    if lostEvents {
                        lostEvents = false
                        await hub.resync()
                    }
                case .message:
                    break
                }
            }
        } onGracefulShutdown: {
            subscriber.shutdown()
        }
    }
}
