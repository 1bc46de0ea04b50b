/// The permission rules for slash commands. They live here, on the server side of everything:
/// the client only ever sends text.
public enum CommandRules {
    /// Checks that `actor` may run `command` at all.
    /// - Throws: ``ValidationError`` naming the role needed.
    public static func authorize(_ command: SlashCommand, by actor: Actor) throws {
        let needed = command.requiredRole
        guard actor.effectiveRole >= needed else {
            switch needed {
            case .owner: throw ValidationError("only the room's owner can do that")
            default: throw ValidationError("you need to be a moderator of this room")
            }
        }
    }

    /// Checks that `actor` may run `command` on `target` (whose role in the room is `targetRole`).
    /// - Throws: ``ValidationError`` for acting on the owner, or on yourself where that makes no sense.
    public static func authorize(_ command: SlashCommand, by actor: Actor, on target: User, targetRole: RoomRole) throws {
        let isSelf = target.id == actor.user.id
        switch command {
        case .kill, .ban:
            if isSelf { throw ValidationError("you cannot do that to yourself") }
            if targetRole == .owner && !actor.isAdmin { throw ValidationError("nobody can do that to the room's owner") }
            if targetRole == .moderator && actor.effectiveRole < .owner { throw ValidationError("only the owner can do that to a moderator") }
        case .deop:
            if targetRole == .owner { throw ValidationError("nobody can deop the room's owner") }
            if targetRole != .moderator { throw ValidationError("\(target.username) is not a moderator") }
        case .op:
            if isSelf || targetRole == .owner { throw ValidationError("\(target.username) already runs this room") }
            if targetRole == .moderator { throw ValidationError("\(target.username) is already a moderator") }
        case .unban:
            if isSelf { throw ValidationError("you cannot do that to yourself") }
        case .message:
            if isSelf { throw ValidationError("you cannot send a private message to yourself") }
        default:
            break
        }
    }
}
