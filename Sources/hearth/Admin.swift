import ArgumentParser
import HearthStorage
import HearthWeb

/// `hearth admin grant USER` / `hearth admin revoke USER`: site admins can act in every room.
struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Grant or revoke site admin (acts as an owner in every room).")

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case grant, revoke
    }

    @OptionGroup var options: ConfigurationOptions
    @Argument(help: "grant or revoke.") var action: Action
    @Argument(help: "The username.") var user: String

    func run() async throws {
        let configuration = try options.resolve()
        let services = try AppServices(configuration: configuration, logger: options.logger(for: configuration))
        let isAdmin = action == .grant
        do {
            try await PostgresUserRepository(client: services.postgres).setAdmin(username: user, isAdmin)
            await services.postgres.shutdown()
        } catch StorageError.notFound {
            await services.postgres.shutdown()
            throw ValidationError("no user named \(user)")
        } catch {
            await services.postgres.shutdown()
            throw error
        }
        print(isAdmin ? "\(user) is now a site admin." : "\(user) is no longer a site admin.")
    }
}
