module gate.example/bench/churn

go 1.22
