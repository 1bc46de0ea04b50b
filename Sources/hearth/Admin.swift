import ArgumentParser
import HearthStorage
import HearthWeb

/// `hearth admin grant USER` / `hearth admin revoke USER`: site admins can act in every room.
struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Grant or revoke site admin (acts as an owner in every room).",
        subcommands: [Grant.self, Revoke.self]
    )

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make USER a site admin.")
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "The username.") var user: String

        func run() async throws {
            try await setAdmin(user, true, options: options)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take site admin away from USER.")
        @OptionGroup var options: ConfigurationOptions
        @Argument(help: "The username.") var user: String

        func run() async throws {
            try await setAdmin(user, false, options: options)
        }
    }
}

private func setAdmin(_ username: String, _ isAdmin: Bool, options: ConfigurationOptions) async throws {
    let configuration = try options.resolve()
    let logger = options.logger(for: configuration)
    let services = try AppServices(configuration: configuration, logger: logger)
    do {
        try await PostgresUserRepository(client: services.postgres).setAdmin(username: username, isAdmin)
        await services.postgres.shutdown()
    } catch StorageError.notFound {
        await services.postgres.shutdown()
        throw ValidationError("no user named \(username)")
    } catch {
        await services.postgres.shutdown()
        throw error
    }
    print(isAdmin ? "\(username) is now a site admin." : "\(username) is no longer a site admin.")
}
