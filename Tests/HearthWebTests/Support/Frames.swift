import Foundation
import HearthTestSupport

/// The parts of a server frame tests look at.
struct ServerFrameView: Equatable {
    let type: String
    let position: Int64?
    let author: String?
    let kind: String?
    let body: String?
    let text: String?
    let code: String?
    let people: [String]?

    init?(_ frame: RawWebSocket.Frame) {
        guard frame.opcode == 0x1,
              let object = try? JSONSerialization.jsonObject(with: Data(frame.payload)) as? [String: Any],
              let type = object["type"] as? String
        else { return nil }
        let message = object["message"] as? [String: Any]
        self.type = type
        position = (message?["position"] as? NSNumber)?.int64Value ?? (object["position"] as? NSNumber)?.int64Value
        author = message?["author"] as? String
        kind = message?["kind"] as? String
        body = message?["body"] as? String
        text = object["text"] as? String
        code = object["code"] as? String
        people = object["people"] as? [String]
    }
}

extension RawWebSocket {
    /// The next frame of a type, skipping others.
    func next(_ type: String, where matches: (ServerFrameView) -> Bool = { _ in true }) async throws -> ServerFrameView {
        let frame = try await receive { frame in
            guard let view = ServerFrameView(frame) else { return false }
            return view.type == type && matches(view)
        }
        return ServerFrameView(frame)!
    }

    /// The stored messages sent before the `ready` frame (the catch-up), and the position
    /// `ready` says catch-up reached.
    func catchUp() async throws -> (messages: [ServerFrameView], ready: Int64) {
        var messages: [ServerFrameView] = []
        while true {
            let frame = try await receive { ServerFrameView($0).map { ["message", "ready"].contains($0.type) } ?? false }
            guard let view = ServerFrameView(frame) else { continue }
            if view.type == "ready" { return (messages, view.position ?? 0) }
            messages.append(view)
        }
    }

    /// Sends a chat message frame.
    func say(_ body: String) async throws {
        let data = try JSONSerialization.data(withJSONObject: ["type": "send", "body": body])
        try await send(text: String(decoding: data, as: UTF8.self))
    }
}
