package main

import (
	"path/filepath"
	"testing"
)

func TestJavaTasks(t *testing.T) {
	sets := []inputSet{
		{name: "A", inputs: []input{{name: "a0", resources: 3}, {name: "a1", resources: 5}}},
		{name: "B", inputs: []input{{name: "b0", resources: 7}}},
	}
	tasks, rows := javaTasks(sets, "/d")
	if len(tasks) != 2*len(ops) || len(rows) != len(tasks) {
		t.Fatalf("%d tasks, %d rows, want %d", len(tasks), len(rows), 2*len(ops))
	}
	for i, task := range tasks {
		if task.ID != i || rows[i].op != task.Op || rows[i].set != task.Group || rows[i].perRound != len(task.Inputs) {
			t.Errorf("task %d: %+v, row %+v", i, task, rows[i])
		}
		// Redaction reads the labeled inputs, as the other backends' rows do.
		si := map[string]int{"A": 0, "B": 1}[task.Group]
		for j, in := range task.Inputs {
			if want := filepath.Join("/d", inputFile(si, j, task.Op == "redact")); in.Path != want {
				t.Errorf("task %d input %d: %s, want %s", i, j, in.Path, want)
			}
			if in.Resources != sets[si].inputs[j].resources {
				t.Errorf("task %d input %d: %d resources", i, j, in.Resources)
			}
		}
	}
	if tasks[len(ops)].Group != "B" || tasks[2].Op != "redact" {
		t.Errorf("tasks out of order: %+v", tasks)
	}
}
