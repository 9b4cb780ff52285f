// A varlink client corral did not write: the varlink project's Go library
// (Debian's golang-github-varlink-go-dev), driving corrald as any Go
// program would. Each line printed is one thing the library saw; the test
// compares them.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/varlink/go/varlink"
)

const iface = "io.corral.Supervisor"

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := varlink.NewConnection(ctx, "unix:"+os.Args[1])
	if err != nil {
		fmt.Println("connect:", err)
		os.Exit(1)
	}
	defer c.Close()

	var vendor, product, version, url string
	var ifaces []string
	if err := c.GetInfo(ctx, &vendor, &product, &version, &url, &ifaces); err != nil {
		fmt.Println("GetInfo:", err)
	} else {
		fmt.Printf("info: %s %s %s\n", vendor, product, strings.Join(ifaces, ","))
	}

	desc, err := c.GetInterfaceDescription(ctx, iface)
	fmt.Println("description:", err == nil && strings.Contains(desc, "interface "+iface+"\n") &&
		strings.Contains(desc, "method Ping() -> ()"))

	fmt.Println("ping:", c.Call(ctx, iface+".Ping", nil, nil))

	// errors: the library decodes their names and parameters
	err = c.Call(ctx, iface+".NoSuchMethod", nil, nil)
	if e, ok := err.(*varlink.Error); ok {
		fmt.Println("unknown method:", e.Name)
	} else {
		fmt.Println("unknown method:", err)
	}
	var none struct{}
	err = c.Call(ctx, iface+".Inspect", struct {
		ID string `json:"id"`
	}{"no-such-container"}, &none)
	if e, ok := err.(*varlink.Error); ok {
		fmt.Println("no such container:", e.Name)
	} else {
		fmt.Println("no such container:", err)
	}
	err = c.Call(ctx, iface+".Inspect", struct {
		ID int `json:"id"`
	}{7}, &none)
	if e, ok := err.(*varlink.Error); ok {
		fmt.Println("bad parameter:", e.Name)
	} else {
		fmt.Println("bad parameter:", err)
	}

	// a oneway call: no reply comes, and the connection goes on
	if _, err := c.Send(ctx, iface+".Ping", nil, varlink.Oneway); err != nil {
		fmt.Println("oneway:", err)
	}
	fmt.Println("after oneway:", c.Call(ctx, iface+".Ping", nil, nil))

	// more: Events replays what happened, each reply flagged continues
	// until the last, which corrald sends once until is reached
	recv, err := c.Send(ctx, iface+".Events", struct {
		Since string `json:"since"`
		Until string `json:"until"`
	}{"0", fmt.Sprint(time.Now().Unix() + 1)}, varlink.More)
	if err != nil {
		fmt.Println("events:", err)
		return
	}
	actions := []string{}
	for {
		var out struct {
			Event *struct {
				Type   string `json:"type"`
				Action string `json:"action"`
			} `json:"event"`
		}
		flags, err := recv(ctx, &out)
		if err != nil {
			fmt.Println("events:", err)
			return
		}
		if out.Event != nil {
			actions = append(actions, out.Event.Type+"/"+out.Event.Action)
		}
		if flags&varlink.Continues == 0 {
			break
		}
	}
	fmt.Println("events:", strings.Join(actions, " "))
	fmt.Println("after events:", c.Call(ctx, iface+".Ping", nil, nil))
}
