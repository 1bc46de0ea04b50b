import HearthRedis
import HearthStorage
import Hummingbird
import HummingbirdWSCompression
import HummingbirdWebSocket
import Logging

/// Builds the Hearth application: clients, templates, routes and services. `hearth serve` runs
/// it; tests call it too, with their own configuration.
///
/// Templates are loaded and checked here, so a broken template stops start-up. Pending
/// migrations are applied before the server accepts connections.
/// - Parameter drainer: Lets the caller close every chat socket with 1001 before shutting down.
public func buildApplication(
    _ configuration: AppConfiguration, logger: Logger, drainer: ConnectionDrainer? = nil
) async throws -> some ApplicationProtocol {
    let services = try AppServices(configuration: configuration, logger: logger)
    let renderer = try await HTMLRenderer(directory: configuration.templatesDirectory)
    let users = PostgresUserRepository(client: services.postgres)
    let rooms = PostgresRoomRepository(client: services.postgres)
    let messages = PostgresMessageRepository(client: services.postgres)
    let clientAddress = ClientAddress(trustedProxies: Set(configuration.trustedProxies))
    let sessions = SessionStore(redis: services.redis, prefix: configuration.redisPrefix, ttl: configuration.sessionTTL)
    let cookies = SessionCookies(ttl: configuration.sessionTTL, clientAddress: clientAddress)
    let metrics = Metrics()
    let hub = ChatHub(
        messages: messages, redis: services.redis, redisPrefix: configuration.redisPrefix, metrics: metrics,
        limits: .init(
            outboundQueueCapacity: configuration.outboundQueueCapacity, sendBurst: configuration.sendBurst,
            sendPerSecond: configuration.sendPerSecond, leaveGrace: configuration.leaveGrace
        ),
        logger: logger
    )

    drainer?.register(hub)

    let router = Router(context: AppRequestContext.self)
    router.add(middleware: FileMiddleware(configuration.staticDirectory, urlBasePath: "/static", cacheControl: .init([(.text, [.noCache])]), logger: logger))
    HealthController(postgres: services.postgres, redis: services.redis).addRoutes(to: router)
    MetricsController(metrics: metrics, hub: hub, allowed: Set(configuration.metricsAllowed)).addRoutes(to: router)
    router.add(middleware: SessionMiddleware(sessions: sessions, cookies: cookies))
    try await AuthController(
        users: users, sessions: sessions, cookies: cookies, throttle: LoginThrottle(redis: services.redis, prefix: configuration.redisPrefix),
        clientAddress: clientAddress, renderer: renderer, bcryptCost: configuration.bcryptCost
    ).addRoutes(to: router)
    RoomsController(rooms: rooms, messages: messages, hub: hub, renderer: renderer).addRoutes(to: router)
    let refusals = UpgradeRefusals()
    ChatSocketController(hub: hub, users: users, rooms: rooms, messages: messages, refusals: refusals).addRoutes(to: router)

    var app = Application(
        router: router,
        server: .http1WebSocketUpgrade(
            webSocketRouter: router,
            configuration: .init(
                http1: .init(additionalChannelHandlers: [FailedUpgradeStatusHandler(refusals: refusals)]),
                ws: .init(
                    maxFrameSize: ChatSocketController.hardFrameLimit,
                    // Hearth writes its frames uncompressed (encoded once, the same bytes to every
                    // socket), so the server side of deflate gets the smallest zlib state; what
                    // clients compress is inflated up to the hard frame limit.
                    extensions: [
                        .perMessageDeflate(
                            clientMaxWindow: 10, serverMaxWindow: 9, serverNoContextTakeover: true, compressionLevel: 1, memoryLevel: 1,
                            maxDecompressedFrameSize: ChatSocketController.hardFrameLimit
                        ),
                    ],
                    autoPing: .enabled(timePeriod: .seconds(30)),
                    // A client that does not answer our close frame is cut off after this.
                    closeTimeout: ChatSocketController.closeGrace,
                    // Invalid UTF-8 gets an error frame from the handler instead of a closed socket.
                    validateUTF8: false
                )
            )
        ),
        // A crowd arriving at once must not overflow the accept queue (the kernel caps it at
        // net.core.somaxconn).
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Hearth", backlog: 4096),
        services: [
            services.postgres, services.redis,
            RoomEventListener(subscriber: RedisSubscriber(configuration: services.redisConfiguration, logger: logger), hub: hub, prefix: configuration.redisPrefix, logger: logger),
        ],
        logger: logger
    )
    app.beforeServerStarts {
        try await Migrator(client: services.postgres, migrations: Migration.bundled(), logger: logger).migrate()
    }
    return app
}
