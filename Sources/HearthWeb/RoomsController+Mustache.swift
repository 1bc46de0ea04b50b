import Mustache

// swift-mustache looks values up by reflection (`Mirror`) unless a type names its own
// children; reflection made a room page of 50 messages cost about 10 ms to render.

extension RoomsController.MessageView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "position": position
        case "author": author
        case "recipient": recipient
        case "body": body
        case "kind": kind
        case "isText": isText
        case "isAction": isAction
        case "isPrivate": isPrivate
        case "isLine": isLine
        case "time": time
        case "timeISO": timeISO
        default: nil
        }
    }
}

extension RoomsController.RoomSummaryView: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "name": self.name
        case "path": path
        case "topic": topic
        case "online": online
        case "lastActive": lastActive
        case "lastActiveISO": lastActiveISO
        case "current": current
        default: nil
        }
    }
}

extension RoomsController.RoomPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "username": username
        case "csrf": csrf
        case "room": room
        case "rooms": rooms
        case "messages": messages
        case "hasOlder": hasOlder
        case "oldestPosition": oldestPosition
        case "lastPosition": lastPosition
        case "people": people
        default: nil
        }
    }
}
