import HearthCore
import Testing

@Suite struct CommandRulesTests {
    let owner = User(id: 1, username: "olga")
    let moderator = User(id: 2, username: "mo")
    let member = User(id: 3, username: "mel")
    let other = User(id: 4, username: "otto")

    func actor(_ user: User, _ role: RoomRole, admin: Bool = false) -> Actor { Actor(user: user, role: role, isAdmin: admin) }

    @Test(arguments: [
        SlashCommand.kill(user: "x", reason: nil), .ban(user: "x", reason: nil), .unban(user: "x"), .clear, .topic("new"),
    ])
    func membersCannotModerate(_ command: SlashCommand) {
        #expect(throws: ValidationError("you need to be a moderator of this room")) {
            try CommandRules.authorize(command, by: actor(member, .member))
        }
        #expect(throws: Never.self) { try CommandRules.authorize(command, by: actor(moderator, .moderator)) }
    }

    @Test(arguments: [SlashCommand.op(user: "x"), .deop(user: "x")])
    func onlyOwnersAndAdminsGrantModerator(_ command: SlashCommand) {
        #expect(throws: ValidationError("only the room's owner can do that")) { try CommandRules.authorize(command, by: actor(moderator, .moderator)) }
        #expect(throws: Never.self) { try CommandRules.authorize(command, by: actor(owner, .owner)) }
        #expect(throws: Never.self) { try CommandRules.authorize(command, by: actor(member, .member, admin: true)) }
    }

    @Test(arguments: [SlashCommand.help, .who, .time, .topic(nil), .me("x"), .nick("x"), .message(to: "x", text: "y")])
    func everyoneMayUseTheRest(_ command: SlashCommand) {
        #expect(throws: Never.self) { try CommandRules.authorize(command, by: actor(member, .member)) }
    }

    @Test func nobodyKillsOrBansTheOwner() {
        for command in [SlashCommand.kill(user: "olga", reason: nil), .ban(user: "olga", reason: nil)] {
            #expect(throws: ValidationError("nobody can do that to the room's owner")) {
                try CommandRules.authorize(command, by: actor(moderator, .moderator), on: owner, targetRole: .owner)
            }
        }
        // A site admin can.
        #expect(throws: Never.self) {
            try CommandRules.authorize(.kill(user: "olga", reason: nil), by: actor(other, .member, admin: true), on: owner, targetRole: .owner)
        }
    }

    @Test func moderatorsCannotRemoveEachOtherButTheOwnerCan() {
        let command = SlashCommand.ban(user: "mo", reason: nil)
        let otherModerator = actor(other, .moderator)
        #expect(throws: ValidationError("only the owner can do that to a moderator")) {
            try CommandRules.authorize(command, by: otherModerator, on: moderator, targetRole: .moderator)
        }
        #expect(throws: Never.self) { try CommandRules.authorize(command, by: actor(owner, .owner), on: moderator, targetRole: .moderator) }
    }

    @Test func nobodyDeopsTheOwner() {
        #expect(throws: ValidationError("nobody can deop the room's owner")) {
            try CommandRules.authorize(.deop(user: "olga"), by: actor(other, .member, admin: true), on: owner, targetRole: .owner)
        }
        #expect(throws: ValidationError("mel is not a moderator")) {
            try CommandRules.authorize(.deop(user: "mel"), by: actor(owner, .owner), on: member, targetRole: .member)
        }
        #expect(throws: ValidationError("mo is already a moderator")) {
            try CommandRules.authorize(.op(user: "mo"), by: actor(owner, .owner), on: moderator, targetRole: .moderator)
        }
    }

    @Test func actingOnYourselfIsRefusedWhereItMakesNoSense() {
        #expect(throws: ValidationError("you cannot do that to yourself")) {
            try CommandRules.authorize(.kill(user: "mo", reason: nil), by: actor(moderator, .moderator), on: moderator, targetRole: .moderator)
        }
        #expect(throws: ValidationError("you cannot do that to yourself")) {
            try CommandRules.authorize(.ban(user: "olga", reason: nil), by: actor(owner, .owner), on: owner, targetRole: .owner)
        }
        #expect(throws: ValidationError("you cannot send a private message to yourself")) {
            try CommandRules.authorize(.message(to: "mel", text: "x"), by: actor(member, .member), on: member, targetRole: .member)
        }
    }
}
