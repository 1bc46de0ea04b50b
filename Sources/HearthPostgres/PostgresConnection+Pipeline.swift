import CLibPQ

extension PostgresConnection {
    /// Sends several statements in one round trip (libpq pipeline mode) and runs them as one
    /// transaction: either every statement commits, or none does.
    ///
    /// Outside an explicit transaction the statements form PostgreSQL's implicit transaction,
    /// which commits at the pipeline's sync point; inside ``PostgresClient/withTransaction(_:)``
    /// they join the open transaction.
    ///
    /// The connection stays in blocking mode, which is safe while the batch and its results fit
    /// in the socket buffers (hundreds of small statements); larger batches should be split.
    /// - Returns: Each statement's rows, in order.
    /// - Throws: The first statement's ``PostgresError``; nothing is committed then.
    public func pipeline(_ queries: [PostgresQuery]) throws -> [PostgresRows] {
        let handle = try liveHandle()
        // Statements not yet prepared here are prepared first (once per connection).
        let names = try queries.map { try $0.isPrepared ? statementName(for: $0) : nil }
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError() }
        defer { _ = PQexitPipelineMode(handle) }
        for (query, name) in zip(queries, names) {
            let sent = query.withLibpqParameters { count, types, values, lengths, formats in
                if let name {
                    PQsendQueryPrepared(handle, name, count, values, lengths, formats, 1)
                } else {
                    PQsendQueryParams(handle, query.sql, count, types, values, lengths, formats, 1)
                }
            }
            guard sent == 1 else { throw connectionError() }
        }
        guard PQpipelineSync(handle) == 1 else { throw connectionError() }

        var results: [PostgresRows] = []
        var firstError: PostgresError?
        for _ in queries {
            guard let result = PQgetResult(handle) else { throw connectionError() }
            if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                PQclear(result)
            } else {
                do {
                    results.append(try consume(result))
                } catch let error as PostgresError {
                    firstError = firstError ?? error
                }
            }
            // Each statement's results end with a NULL.
            while let extra = PQgetResult(handle) { PQclear(extra) }
        }
        guard let sync = PQgetResult(handle) else { throw connectionError() }
        let synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC
        PQclear(sync)
        if let firstError { throw firstError }
        guard synced else { throw PostgresError(code: .protocolViolation, message: "pipeline ended without a sync") }
        return results
    }
}
