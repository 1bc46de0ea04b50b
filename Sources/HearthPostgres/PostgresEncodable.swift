import Foundation

/// A Swift value that can be bound to a query parameter, in PostgreSQL's binary format.
public protocol PostgresEncodable: Sendable {
    /// The parameter type announced to the server.
    static var postgresType: PostgresType { get }
    /// Appends the value's binary representation.
    func encode(into buffer: inout [UInt8])
}

extension FixedWidthInteger {
    func appendBigEndian(to buffer: inout [UInt8]) {
        withUnsafeBytes(of: bigEndian) { buffer.append(contentsOf: $0) }
    }
}

extension Int: PostgresEncodable {
    public static var postgresType: PostgresType { .int8 }
    public func encode(into buffer: inout [UInt8]) { Int64(self).appendBigEndian(to: &buffer) }
}

extension Int64: PostgresEncodable {
    public static var postgresType: PostgresType { .int8 }
    public func encode(into buffer: inout [UInt8]) { appendBigEndian(to: &buffer) }
}

extension Int32: PostgresEncodable {
    public static var postgresType: PostgresType { .int4 }
    public func encode(into buffer: inout [UInt8]) { appendBigEndian(to: &buffer) }
}

extension Bool: PostgresEncodable {
    public static var postgresType: PostgresType { .bool }
    public func encode(into buffer: inout [UInt8]) { buffer.append(self ? 1 : 0) }
}

extension Double: PostgresEncodable {
    public static var postgresType: PostgresType { .float8 }
    public func encode(into buffer: inout [UInt8]) { bitPattern.appendBigEndian(to: &buffer) }
}

extension String: PostgresEncodable {
    public static var postgresType: PostgresType { .text }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
}

extension Substring: PostgresEncodable {
    public static var postgresType: PostgresType { .text }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
}

extension Data: PostgresEncodable {
    public static var postgresType: PostgresType { .bytea }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: self) }
}

extension UUID: PostgresEncodable {
    public static var postgresType: PostgresType { .uuid }
    public func encode(into buffer: inout [UInt8]) { withUnsafeBytes(of: uuid) { buffer.append(contentsOf: $0) } }
}

/// PostgreSQL timestamps count microseconds from 2000-01-01 00:00:00 UTC.
let postgresEpoch = Date(timeIntervalSince1970: 946_684_800)

extension Date: PostgresEncodable {
    public static var postgresType: PostgresType { .timestamptz }
    public func encode(into buffer: inout [UInt8]) {
        let microseconds = (timeIntervalSince(postgresEpoch) * 1_000_000).rounded()
        Int64(microseconds).appendBigEndian(to: &buffer)
    }
}
