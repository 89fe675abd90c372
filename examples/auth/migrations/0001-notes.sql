-- pyxle-db applies the files in migrations/ in order, once each, at start-up.
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    owner TEXT NOT NULL,
    body TEXT NOT NULL
);
