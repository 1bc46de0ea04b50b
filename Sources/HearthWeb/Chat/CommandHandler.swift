import Foundation
import HearthCore
import HearthPostgres
import HearthStorage

/// Runs slash commands typed in a room. Permission rules come from `CommandRules` (domain);
/// every check happens here, on the server. Replies that concern only the caller are notices
/// to them; administrative actions are stored as system lines with their effect.
struct CommandHandler: Sendable {
    /// Close codes for removed clients (4000–4099: "do not reconnect").
    static let killedCode: UInt16 = 4001
    static let bannedCode: UInt16 = 4003
    static let maximumTopicLength = 200

    let users: any UserRepository
    let rooms: any RoomRepository
    let hub: ChatHub

    /// Runs a command for `connection`'s user.
    /// - Throws: ``ValidationError`` with the answer for the caller when it cannot be done.
    func run(_ command: SlashCommand, from connection: ChatConnection, in channel: RoomChannel) async throws {
        let room = channel.room
        let caller = try await users.find(id: connection.user.id) ?? connection.user
        let membership = try await rooms.membership(roomID: room.id, userID: caller.id)
        let actor = Actor(user: caller, role: room.ownerID == caller.id ? .owner : membership.role, isAdmin: try await users.isAdmin(id: caller.id))
        try CommandRules.authorize(command, by: actor)

        func notice(_ text: String) { connection.send(FrameEncoder.encode(.notice(text))) }
        func line(_ body: String, _ effect: MessageEffect? = nil, kind: MessageKind = .system) async throws {
            _ = try await channel.post(NewMessage(roomID: room.id, author: kind == .system || kind == .clear ? nil : caller, kind: kind, body: body, effect: effect))
        }
        func target(_ name: String) async throws -> (user: User, role: RoomRole, banned: Bool) {
            guard let user = try await users.find(name: name) else { throw ValidationError("no user named \(name)") }
            let membership = try await rooms.membership(roomID: room.id, userID: user.id)
            let role: RoomRole = room.ownerID == user.id ? .owner : membership.role
            try CommandRules.authorize(command, by: actor, on: user, targetRole: role)
            return (user, role, membership.banned)
        }
        let by = caller.displayName

        switch command {
        case .help:
            notice(SlashCommand.helpText(for: actor.effectiveRole))
        case .who:
            let people = await channel.people
            notice("\(people.count) \(people.count == 1 ? "person" : "people") here: \(people.joined(separator: ", "))")
        case .time:
            notice("Server time: " + Date().formatted(.iso8601.year().month().day().dateTimeSeparator(.space).time(includingFractionalSeconds: false).timeZone(separator: .omitted)))
        case .me(let text):
            try await line(try MessageRules.validate(text), kind: .action)
        case .message(let name, let text):
            let recipient = try await target(name).user
            _ = try await channel.post(NewMessage(roomID: room.id, author: caller, kind: .private, body: try MessageRules.validate(text), recipient: recipient))
        case .nick(let name):
            let nick = try NameRules.validate(name, kind: "display name")
            guard try await !users.isNameTaken(nick, exceptUserID: caller.id) else { throw ValidationError("the name \(nick) is taken") }
            do {
                try await line("\(by) is now known as \(nick)", .rename(userID: caller.id, nick))
            } catch let error as PostgresError where error.code == .uniqueViolation {
                throw ValidationError("the name \(nick) is taken")
            }
            await hub.rename(userID: caller.id, to: nick, in: room.id)
        case .topic(nil):
            let current = try await rooms.find(name: room.name)?.topic ?? ""
            notice(current.isEmpty ? "No topic is set." : "Topic: \(current)")
        case .topic(let text?):
            guard text.count <= Self.maximumTopicLength else { throw ValidationError("A topic can be at most \(Self.maximumTopicLength) characters long.") }
            try await line("\(by) set the topic to “\(text)”", .setTopic(text))
        case .kill(let name, let reason):
            let target = try await target(name).user
            guard await channel.isPresent(userID: target.id) else { throw ValidationError("\(target.displayName) is not in this room") }
            try await line("\(target.displayName) was removed by \(by)" + (reason.map { ": \($0)" } ?? ""))
            await hub.remove(userID: target.id, roomID: room.id, code: Self.killedCode, reason: "You were removed from \(room.name) by \(by)" + (reason.map { ": \($0)" } ?? "."))
        case .ban(let name, let reason):
            let target = try await target(name)
            guard !target.banned else { throw ValidationError("\(target.user.displayName) is already banned") }
            try await line("\(target.user.displayName) was banned by \(by)" + (reason.map { ": \($0)" } ?? ""), .setBanned(userID: target.user.id, true))
            await hub.remove(userID: target.user.id, roomID: room.id, code: Self.bannedCode, reason: "You are banned from \(room.name) by \(by)" + (reason.map { ": \($0)" } ?? "."))
        case .unban(let name):
            let target = try await target(name)
            guard target.banned else { throw ValidationError("\(target.user.displayName) is not banned") }
            try await line("\(target.user.displayName) was unbanned by \(by)", .setBanned(userID: target.user.id, false))
        case .op(let name):
            let target = try await target(name).user
            try await line("\(by) made \(target.displayName) a moderator", .setRole(userID: target.id, .moderator))
        case .deop(let name):
            let target = try await target(name).user
            try await line("\(by) removed \(target.displayName) as moderator", .setRole(userID: target.id, .member))
        case .clear:
            try await line("history cleared by \(by)", .clearHistory, kind: .clear)
        }
    }
}
