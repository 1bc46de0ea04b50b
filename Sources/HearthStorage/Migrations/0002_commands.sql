-- Room administration: display names, site admins, private messages.

ALTER TABLE users ADD COLUMN display_name text CHECK (display_name IS NULL OR char_length(display_name) BETWEEN 1 AND 32);
ALTER TABLE users ADD COLUMN is_admin boolean NOT NULL DEFAULT false;
-- Display names are unique regardless of case (clashes with other users' usernames are
-- checked by the application when a name is chosen).
CREATE UNIQUE INDEX users_display_name_key ON users (lower(display_name));

-- A private message is visible to its author and its recipient only.
ALTER TABLE messages ADD COLUMN recipient_id bigint REFERENCES users (id) ON DELETE CASCADE;
