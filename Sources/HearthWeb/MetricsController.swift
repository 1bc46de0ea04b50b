import Hummingbird

/// `GET /metrics`, only for the addresses allowed to scrape (loopback by default). Behind
/// nginx every request comes from loopback, so deploy/nginx.conf refuses /metrics itself.
struct MetricsController: Sendable {
    let metrics: Metrics
    let hub: ChatHub
    let allowed: Set<String>

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/metrics") { _, context in
            guard let peer = context.peerAddress, allowed.contains(peer) else {
                throw HTTPError(.forbidden, message: "Metrics are only served to allowed addresses.")
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.render(activeRooms: await hub.activeRoomCount())))
            )
        }
    }
}
