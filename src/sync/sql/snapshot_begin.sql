-- A transaction that sees blue exactly as the slot's exported snapshot does.
BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;
