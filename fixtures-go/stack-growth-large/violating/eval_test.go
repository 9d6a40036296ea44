package violating

import "testing"

func TestDeepExpression(t *testing.T) { // want: stack-growth-large TestDeepExpression
	n := &Node{Val: 1}
	for i := 0; i < 20000; i++ {
		n = &Node{Op: "inc", Arg: n}
	}
	if got := NewEvaluator().Eval(n); got != 20001 {
		t.Fatalf("Eval = %d", got)
	}
}
