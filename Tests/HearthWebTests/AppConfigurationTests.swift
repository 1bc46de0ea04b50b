import HearthWeb
import Testing

@Suite struct AppConfigurationTests {
    @Test func defaultsAreLocal() throws {
        let configuration = try AppConfiguration(environment: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.databaseURL.contains("127.0.0.1:54329"))
        #expect(configuration.redisURL == "redis://127.0.0.1:63799/0")
    }

    @Test func environmentOverridesDefaults() throws {
        let configuration = try AppConfiguration(environment: [
            "HOST": "0.0.0.0", "PORT": "9000", "LOG_LEVEL": "DEBUG", "SESSION_TTL": "3600",
            "TRUSTED_PROXIES": "127.0.0.1, ::1", "DATABASE_URL": "", "REDIS_URL": "redis://cache:6379/2",
            "SEND_BURST": "20", "SEND_RATE": "8",
        ])
        #expect(configuration.sendBurst == 20)
        #expect(configuration.sendPerSecond == 8)
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 9000)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.sessionTTL == .seconds(3600))
        #expect(configuration.trustedProxies == ["127.0.0.1", "::1"])
        #expect(configuration.databaseURL == AppConfiguration().databaseURL)
        #expect(configuration.redisURL == "redis://cache:6379/2")
    }

    @Test(arguments: [["PORT": "eighty"], ["PORT": "70000"], ["LOG_LEVEL": "loud"], ["SESSION_TTL": "5"], ["SEND_RATE": "0"], ["SEND_BURST": "lots"]])
    func badValuesAreRefused(_ environment: [String: String]) {
        #expect(throws: ConfigurationError.self) { try AppConfiguration(environment: environment) }
    }
}
