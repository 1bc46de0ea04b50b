-- Hearth's first schema: users, rooms, memberships and messages.

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text NOT NULL CHECK (char_length(username) BETWEEN 1 AND 32),
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
-- Usernames are unique regardless of case ("Alice" and "alice" are one user).
CREATE UNIQUE INDEX users_username_key ON users (lower(username));

CREATE TABLE rooms (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 32),
    owner_id       bigint NOT NULL REFERENCES users (id),
    topic          text NOT NULL DEFAULT '',
    -- The position of the room's newest message. A writer takes the next value with
    -- UPDATE ... RETURNING, which holds this row's lock until commit, so positions are
    -- handed out one transaction at a time: they increase in commit order, without gaps
    -- a reader could fall into ("everything after N" never skips a later commit).
    last_position  bigint NOT NULL DEFAULT 0,
    last_active_at timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX rooms_name_key ON rooms (lower(name));

CREATE TABLE memberships (
    room_id   bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role      text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'moderator', 'member')),
    banned    boolean NOT NULL DEFAULT false,
    joined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, user_id)
);
-- "Which rooms is this user in": the primary key only serves lookups by room.
CREATE INDEX memberships_user_id ON memberships (user_id);

CREATE TABLE messages (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room_id    bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    position   bigint NOT NULL,
    -- NULL for system lines, and for messages whose author was deleted.
    author_id  bigint REFERENCES users (id) ON DELETE SET NULL,
    kind       text NOT NULL CHECK (kind ~ '^[a-z_]{1,16}$'),
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Serves both "messages after N" (range scan forward) and keyset pages
-- "the newest L before P" (range scan backward), and makes positions unique per room.
CREATE UNIQUE INDEX messages_room_position ON messages (room_id, position);
CREATE INDEX messages_author_id ON messages (author_id);
