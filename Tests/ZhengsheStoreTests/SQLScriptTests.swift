import PostgresNIO
import Testing
@testable import ZhengsheStore

@Suite struct SQLScriptTests {
    @Test func splitsOnSemicolonsOutsideQuotesAndComments() {
        let script = """
            -- a comment; not a statement
            CREATE TABLE a (v text DEFAULT 'x;y');
            /* block; /* nested; */ still comment; */
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
            CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 2; END $body$;
            SELECT "odd;name" FROM a WHERE v = 'it''s;' AND $1 = 1
            """
        let statements = SQLScript.statements(script)
        #expect(statements.count == 4)
        #expect(statements[0].hasSuffix("DEFAULT 'x;y')"))
        #expect(statements[1].hasSuffix("$$ SELECT 1; $$"))
        #expect(statements[2].hasSuffix("END $body$"))
        #expect(statements[3].hasPrefix("SELECT \"odd;name\""))
    }

    @Test func theBundledSchemaSplitsIntoWholeStatements() throws {
        for migration in try Migration.bundled() {
            for statement in SQLScript.statements(migration.sql) {
                #expect(!statement.hasSuffix(";"))
                #expect(!statement.isEmpty)
            }
        }
    }
}

@Suite struct DatabaseURLTests {
    @Test func readsTCPAndSocketURLs() throws {
        let tcp = try DatabaseURL.configuration(from: "postgresql://app:s%40cret@db.internal:6543/zhengshe?sslmode=disable")
        #expect(tcp.host == "db.internal" && tcp.port == 6543)
        #expect(tcp.username == "app" && tcp.password == "s@cret" && tcp.database == "zhengshe")
        let socket = try DatabaseURL.configuration(from: "postgresql://app@/zhengshe?host=/run/postgresql")
        #expect(socket.unixSocketPath == "/run/postgresql/.s.PGSQL.5432")
        let encoded = try DatabaseURL.configuration(from: "postgres://app@%2Ftmp%2Fpg:5433/x")
        #expect(encoded.unixSocketPath == "/tmp/pg/.s.PGSQL.5433")
        #expect(throws: DatabaseURL.Error.self) { try DatabaseURL.configuration(from: "mysql://x@y/z") }
        #expect(throws: DatabaseURL.Error.self) { try DatabaseURL.configuration(from: "postgres://x@y/z?sslmode=sometimes") }
    }
}
