package view

import "text/template/parse"

// walk calls found for every function call in the tree whose first argument
// is a string constant, such as {{t "site.skip"}} or {{asset "buzon.css"}}.
func walk(n parse.Node, found func(fn, arg string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, found)
		}
	case *parse.ActionNode:
		walk(n.Pipe, found)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walk(c, found)
		}
	case *parse.CommandNode:
		if len(n.Args) >= 2 {
			if id, ok := n.Args[0].(*parse.IdentifierNode); ok {
				if s, ok := n.Args[1].(*parse.StringNode); ok {
					found(id.Ident, s.Text)
				}
			}
		}
		for _, a := range n.Args {
			walk(a, found)
		}
	case *parse.ChainNode:
		walk(n.Node, found)
	case *parse.IfNode:
		walkBranch(&n.BranchNode, found)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, found)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, found)
	case *parse.TemplateNode:
		walk(n.Pipe, found)
	}
}

func walkBranch(b *parse.BranchNode, found func(fn, arg string)) {
	walk(b.Pipe, found)
	walk(b.List, found)
	walk(b.ElseList, found)
}
