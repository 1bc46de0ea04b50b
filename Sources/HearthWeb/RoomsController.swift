import Foundation
import HearthCore
import HearthStorage
import Hummingbird

/// The room list, room creation, the room page and the history endpoint.
struct RoomsController: Sendable {
    /// Messages rendered with the room page, and the default page size of the history endpoint.
    static let pageSize = 50
    static let maximumPageSize = 100

    let rooms: any RoomRepository
    let messages: any MessageRepository
    let hub: ChatHub
    let renderer: HTMLRenderer

    struct CreateForm: Decodable {
        var name: String?
        var csrf: String?
    }

    struct RoomListPage {
        let username: String
        let csrf: String
        let rooms: [RoomSummaryView]
        let hasRooms: Bool
        let error: String?
        let name: String
    }

    struct RoomSummaryView {
        let name: String
        let path: String
        let topic: String
        let online: Int
        let lastActive: String
        let lastActiveISO: String
        let current: Bool
    }

    struct RoomPage {
        let username: String
        let csrf: String
        let room: RoomSummaryView
        let rooms: [RoomSummaryView]
        let messages: [MessageView]
        let hasOlder: Bool
        let oldestPosition: Int64
        let lastPosition: Int64
        let people: [String]
    }

    struct MessageView {
        let position: Int64
        let author: String
        let recipient: String
        let body: String
        let kind: String
        let isText: Bool
        let isAction: Bool
        let isPrivate: Bool
        let isLine: Bool
        let time: String
        let timeISO: String
    }

    struct HistoryPage: ResponseEncodable {
        let messages: [ChatMessage]
        let hasMore: Bool
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/") { _, context in
            Response.seeOther(context.session?.user == nil ? "/login" : "/rooms")
        }
        router.get("/rooms") { request, context in
            guard let session = context.session, session.user != nil else { return Response.seeOther(loginPath(returningTo: "/rooms")) }
            return try await roomList(session: session, error: nil, name: "", status: .ok).response(from: request, context: context)
        }
        router.post("/rooms") { request, context in try await create(request, context: context) }
        router.get("/rooms/:name") { request, context in try await roomPage(request, context: context) }
        router.get("/rooms/:name/messages") { request, context in try await history(request, context: context) }
    }

    private func roomList(session: Session, error: String?, name: String, status: HTTPResponse.Status) async throws -> HTMLPage {
        let summaries = try await summaries(current: nil)
        return renderer.render("rooms", RoomListPage(
            username: session.username ?? "", csrf: session.csrfToken, rooms: summaries, hasRooms: !summaries.isEmpty, error: error, name: name
        ), status: status)
    }

    private func summaries(current: Int64?) async throws -> [RoomSummaryView] {
        let all = try await rooms.all()
        let counts = await hub.headcounts(roomIDs: all.map(\.id))
        return all.map { Self.summary($0, online: counts[$0.id] ?? 0, current: $0.id == current) }
    }

    private func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let session = context.session, let user = session.user else { return .seeOther(loginPath(returningTo: "/rooms")) }
        let form = try await request.decode(as: CreateForm.self, context: context)
        try requireCSRF(form.csrf, context: context)
        do {
            let name = try NameRules.validate(form.name ?? "", kind: "room name")
            let room = try await rooms.create(name: name, owner: user)
            return .seeOther(Self.path(of: room))
        } catch let error as ValidationError {
            return try await roomList(session: session, error: error.message, name: form.name ?? "", status: .unprocessableContent).response(from: request, context: context)
        } catch StorageError.roomNameTaken {
            return try await roomList(session: session, error: StorageError.roomNameTaken.description, name: form.name ?? "", status: .conflict).response(from: request, context: context)
        }
    }

    private func roomPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let name = context.parameters.get("name") ?? ""
        guard let session = context.session, let user = session.user else { return .seeOther(loginPath(returningTo: request.uri.path)) }
        guard let room = try await rooms.find(name: name) else {
            return try renderer.render("error", ["message": "There is no room called \(name)."], status: .notFound).response(from: request, context: context)
        }
        guard try await !rooms.membership(roomID: room.id, userID: user.id).banned else {
            return try renderer.render("error", ["message": "You are banned from \(room.name)."], status: .forbidden).response(from: request, context: context)
        }
        try await rooms.join(room: room, user: user)
        // ?before=N shows an older page, so history can be read without JavaScript.
        let before = request.uri.queryParameters.get("before").flatMap { Int64($0) }
        let latest = try await messages.page(roomID: room.id, viewerID: user.id, before: before, limit: Self.pageSize)
        let people = await hub.channel(for: room).people
        let page = RoomPage(
            username: user.username, csrf: session.csrfToken,
            room: Self.summary(room, online: people.count, current: true),
            rooms: try await summaries(current: room.id),
            messages: latest.map(Self.view),
            hasOlder: latest.count == Self.pageSize,
            oldestPosition: latest.first?.position ?? 0,
            lastPosition: latest.last?.position ?? 0,
            people: people
        )
        return try renderer.render("room", page).response(from: request, context: context)
    }

    private func history(_ request: Request, context: AppRequestContext) async throws -> HistoryPage {
        guard let user = context.session?.user else { throw HTTPError(.unauthorized, message: "Log in to read rooms.") }
        guard let room = try await rooms.find(name: context.parameters.get("name") ?? "") else {
            throw HTTPError(.notFound, message: "No such room.")
        }
        guard try await !rooms.membership(roomID: room.id, userID: user.id).banned else {
            throw HTTPError(.forbidden, message: "You are banned from this room.")
        }
        let query = request.uri.queryParameters
        var before: Int64?
        if let text = query.get("before") {
            guard let value = Int64(text), value > 0 else { throw HTTPError(.badRequest, message: "before must be a positive position") }
            before = value
        }
        var limit = Self.pageSize
        if let text = query.get("limit") {
            guard let value = Int(text), (1...Self.maximumPageSize).contains(value) else {
                throw HTTPError(.badRequest, message: "limit must be between 1 and \(Self.maximumPageSize)")
            }
            limit = value
        }
        let page = try await messages.page(roomID: room.id, viewerID: user.id, before: before, limit: limit)
        return HistoryPage(messages: page, hasMore: page.count == limit)
    }

    static func path(of room: Room) -> String {
        "/rooms/" + (room.name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? room.name)
    }

    static func summary(_ room: Room, online: Int, current: Bool) -> RoomSummaryView {
        RoomSummaryView(
            name: room.name, path: path(of: room), topic: room.topic, online: online,
            lastActive: room.lastActiveAt.map(relativeTime) ?? "no messages yet",
            lastActiveISO: room.lastActiveAt.map(UTCTime.iso8601) ?? "", current: current
        )
    }

    static func view(_ message: ChatMessage) -> MessageView {
        MessageView(
            position: message.position, author: message.author ?? "", recipient: message.recipient ?? "",
            body: message.body, kind: message.kind.rawValue,
            isText: message.kind == .text, isAction: message.kind == .action, isPrivate: message.kind == .private,
            isLine: ![.text, .action, .private].contains(message.kind),
            time: UTCTime.hourMinute(message.createdAt),
            timeISO: UTCTime.iso8601(message.createdAt)
        )
    }

    static func relativeTime(_ date: Date) -> String {
        let seconds = Int(Date().timeIntervalSince(date))
        switch seconds {
        case ..<60: return "just now"
        case ..<3600: return "\(seconds / 60) min ago"
        case ..<86_400: return "\(seconds / 3600) h ago"
        default: return date.formatted(.iso8601.year().month().day())
        }
    }
}
