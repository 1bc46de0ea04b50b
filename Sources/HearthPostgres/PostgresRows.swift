/// The rows of one statement's result, copied out of libpq.
public struct PostgresRows: Sendable, RandomAccessCollection {
    /// A result column.
    public struct Column: Sendable {
        public let name: String
        public let type: PostgresType
    }

    /// The columns, in select-list order.
    public let columns: [Column]
    /// Rows inserted, updated or deleted, for commands that report it.
    public let affectedRows: Int
    // Every cell's bytes live in one buffer; `cells` holds each cell's range (nil for NULL),
    // row-major. One allocation per result instead of one per cell.
    let storage: [UInt8]
    let cells: [Range<Int>?]
    private let columnIndex: [String: Int]

    init(columns: [Column], affectedRows: Int, storage: [UInt8], cells: [Range<Int>?]) {
        self.columns = columns
        self.affectedRows = affectedRows
        self.storage = storage
        self.cells = cells
        var index: [String: Int] = [:]
        for (position, column) in columns.enumerated() where index[column.name] == nil {
            index[column.name] = position
        }
        self.columnIndex = index
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { columns.isEmpty ? 0 : cells.count / columns.count }

    public subscript(position: Int) -> PostgresRow {
        PostgresRow(rows: self, index: position)
    }

    func columnPosition(_ name: String) throws -> Int {
        guard let position = columnIndex[name] else {
            throw PostgresError(code: .columnNotFound, column: name)
        }
        return position
    }
}

/// One row of a ``PostgresRows`` result.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    let index: Int

    /// Decodes the named column.
    /// - Throws: ``PostgresError`` (`columnNotFound`, `typeMismatch` or `unexpectedNull`).
    public func decode<Value: PostgresDecodable>(_ column: String, as _: Value.Type = Value.self) throws -> Value {
        try decode(at: rows.columnPosition(column), as: Value.self)
    }

    /// Decodes the column at a zero-based position in the select list.
    public func decode<Value: PostgresDecodable>(at position: Int, as _: Value.Type = Value.self) throws -> Value {
        guard rows.columns.indices.contains(position) else {
            throw PostgresError(code: .columnNotFound, column: "#\(position)")
        }
        let column = rows.columns[position]
        guard let range = rows.cells[index * rows.columns.count + position] else {
            return try Value.decodeNull(column: column.name)
        }
        return try Value.decode(rows.storage[range], type: column.type, column: column.name)
    }
}
