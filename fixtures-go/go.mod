module gate.example/fixtures

go 1.22
