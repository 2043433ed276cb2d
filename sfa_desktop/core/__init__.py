"""Qt-free, database-free domain: entities, enums, rules and the sync protocol."""
