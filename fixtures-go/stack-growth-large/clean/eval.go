// Package clean is the clean twin of stack-growth-large/violating: the
// operators are typed function values called directly, so each level of a
// nested expression costs two small frames and the stack stays small.
//
// gate:clean stack-growth-large
package clean

import "fmt"

// Node is an expression: a constant, or an operator applied to Arg.
type Node struct {
	Op  string
	Val int
	Arg *Node
}

// Evaluator evaluates expressions with operators registered by name.
type Evaluator struct {
	ops map[string]func(*Evaluator, *Node) int
}

// NewEvaluator registers the operators.
func NewEvaluator() *Evaluator {
	e := &Evaluator{ops: make(map[string]func(*Evaluator, *Node) int)}
	e.ops["inc"] = inc
	e.ops["neg"] = neg
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
	return op(e, n)
}
