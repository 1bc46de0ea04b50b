import HearthCore
import HearthPostgres

/// Accounts.
public protocol UserRepository: Sendable {
    /// Creates an account.
    /// - Throws: ``StorageError/usernameTaken`` (also when it is someone's display name).
    func create(username: String, passwordHash: String) async throws -> User
    /// Finds an account and its password hash by username, regardless of case.
    func findCredentials(username: String) async throws -> (user: User, passwordHash: String)?
    /// The account with this id.
    func find(id: Int64) async throws -> User?
    /// The account whose username or display name is `name`, regardless of case.
    func find(name: String) async throws -> User?
    /// Whether `name` is anyone's username or display name other than `exceptUserID`'s.
    func isNameTaken(_ name: String, exceptUserID: Int64) async throws -> Bool
    /// Whether the account is a site admin.
    func isAdmin(id: Int64) async throws -> Bool
    /// Grants or revokes site admin.
    /// - Throws: ``StorageError/notFound`` when there is no such username.
    func setAdmin(username: String, _ isAdmin: Bool) async throws
}

/// Accounts in PostgreSQL.
public struct PostgresUserRepository: UserRepository {
    let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func create(username: String, passwordHash: String) async throws -> User {
        do {
            guard try await !isNameTaken(username, exceptUserID: 0) else { throw StorageError.usernameTaken }
            let row = try await client.query("""
                INSERT INTO users (username, password_hash) VALUES (\(username), \(passwordHash))
                RETURNING id, username, display_name
                """).first!
            return try Self.user(row)
        } catch let error as PostgresError where error.code == .uniqueViolation {
            throw StorageError.usernameTaken
        }
    }

    public func findCredentials(username: String) async throws -> (user: User, passwordHash: String)? {
        let rows = try await client.query("""
            SELECT id, username, display_name, password_hash FROM users WHERE lower(username) = lower(\(username))
            """)
        guard let row = rows.first else { return nil }
        return (try Self.user(row), try row.decode("password_hash"))
    }

    public func find(id: Int64) async throws -> User? {
        try await client.query(.prepared("SELECT id, username, display_name FROM users WHERE id = \(id)")).first.map(Self.user)
    }

    public func find(name: String) async throws -> User? {
        try await client.query("""
            SELECT id, username, display_name FROM users
            WHERE lower(username) = lower(\(name)) OR lower(display_name) = lower(\(name))
            ORDER BY lower(username) = lower(\(name)) DESC LIMIT 1
            """).first.map(Self.user)
    }

    public func isNameTaken(_ name: String, exceptUserID: Int64) async throws -> Bool {
        try await client.query("""
            SELECT 1 FROM users
            WHERE id <> \(exceptUserID) AND (lower(username) = lower(\(name)) OR lower(display_name) = lower(\(name)))
            """).count > 0
    }

    public func isAdmin(id: Int64) async throws -> Bool {
        try await client.query("SELECT is_admin FROM users WHERE id = \(id)").first?.decode("is_admin", as: Bool.self) ?? false
    }

    public func setAdmin(username: String, _ isAdmin: Bool) async throws {
        let updated = try await client.query("UPDATE users SET is_admin = \(isAdmin) WHERE lower(username) = lower(\(username))")
        guard updated.affectedRows == 1 else { throw StorageError.notFound }
    }

    static func user(_ row: PostgresRow) throws -> User {
        try User(id: row.decode("id"), username: row.decode("username"), displayName: row.decode("display_name"))
    }
}
