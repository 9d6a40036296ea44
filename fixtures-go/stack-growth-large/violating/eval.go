// Package violating breaks stack-growth-large: the evaluator dispatches
// every operator through reflect.Value.Call, and operators evaluate their
// operands recursively, so each level of a nested expression costs the
// reflective call's large frames and the goroutine's stack grows to many
// megabytes (copied at each doubling).
package violating

import (
	"fmt"
	"reflect"
)

// Node is an expression: a constant, or an operator applied to Arg.
type Node struct {
	Op  string
	Val int
	Arg *Node
}

// Evaluator evaluates expressions with operators registered by name.
type Evaluator struct {
	ops map[string]reflect.Value
}

// NewEvaluator registers the operators.
func NewEvaluator() *Evaluator {
	e := &Evaluator{ops: make(map[string]reflect.Value)}
	e.ops["inc"] = reflect.ValueOf(inc)
	e.ops["neg"] = reflect.ValueOf(neg)
	return e
}

func inc(e *Evaluator, n *Node) int { return e.Eval(n.Arg) + 1 }
func neg(e *Evaluator, n *Node) int { return -e.Eval(n.Arg) }

// Eval returns the value of n.
func (e *Evaluator) Eval(n *Node) int {
	if n.Op == "" {
		return n.Val
	}
	op, ok := e.ops[n.Op]
	if !ok {
		panic(fmt.Sprintf("unknown operator %q", n.Op))
	}
	out := op.Call([]reflect.Value{reflect.ValueOf(e), reflect.ValueOf(n)})
	return int(out[0].Int())
}
