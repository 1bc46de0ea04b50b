import CLibPQ

extension PostgresRows {
    /// Copies a `PGresult` (binary format) into Swift storage. The caller still frees `result`.
    init(copying result: OpaquePointer) {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = (0..<columnCount).map { index in
            Column(name: String(cString: PQfname(result, Int32(index))), type: PostgresType(oid: PQftype(result, Int32(index))))
        }
        var storage: [UInt8] = []
        var cells: [Range<Int>?] = []
        cells.reserveCapacity(rowCount * columnCount)
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    cells.append(nil)
                    continue
                }
                let length = Int(PQgetlength(result, row, column))
                let start = storage.count
                PQgetvalue(result, row, column).withMemoryRebound(to: UInt8.self, capacity: length) {
                    storage.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
                }
                cells.append(start..<start + length)
            }
        }
        self.init(
            columns: columns,
            affectedRows: Int(String(cString: PQcmdTuples(result))) ?? 0,
            storage: storage,
            cells: cells
        )
    }
}
