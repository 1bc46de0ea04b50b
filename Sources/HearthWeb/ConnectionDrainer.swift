import Synchronization

/// Closes every chat WebSocket with 1001 ("going away") so clients reconnect to another
/// instance, before the framework's own graceful shutdown starts (which would close them with
/// 1000). `hearth serve` calls it on SIGTERM; pass one to ``buildApplication(_:logger:drainer:)``.
public final class ConnectionDrainer: Sendable {
    private let hubs = Mutex<[ChatHub]>([])

    public init() {}

    func register(_ hub: ChatHub) {
        hubs.withLock { $0.append(hub) }
    }

    /// Asks every chat socket to close with 1001 and waits until they are closed, or `timeout`.
    public func closeConnections(timeout: Duration = .seconds(5)) async {
        let hubs = hubs.withLock { $0 }
        for hub in hubs { await hub.goAway() }
        let deadline = ContinuousClock.now + timeout
        while hubs.contains(where: { $0.metrics.openConnections > 0 }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
