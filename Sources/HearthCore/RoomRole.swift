/// What someone may do in a room.
public enum RoomRole: String, Sendable, Comparable, CaseIterable {
    case member, moderator, owner

    private var rank: Int {
        switch self {
        case .member: 0
        case .moderator: 1
        case .owner: 2
        }
    }

    public static func < (lhs: RoomRole, rhs: RoomRole) -> Bool { lhs.rank < rhs.rank }
}

/// Who is acting: their role in the room, and whether they are a site admin (who may act as an
/// owner in every room).
public struct Actor: Sendable, Equatable {
    public let user: User
    public let role: RoomRole
    public let isAdmin: Bool

    public init(user: User, role: RoomRole, isAdmin: Bool) {
        self.user = user
        self.role = role
        self.isAdmin = isAdmin
    }

    /// The role the rules apply: admins count as owners.
    public var effectiveRole: RoomRole { isAdmin ? .owner : role }
}
