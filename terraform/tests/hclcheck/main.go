// hclcheck: the CI check of terraform/ where no Terraform binary exists.
//
//	hclcheck -mode=format   DIR   every .tf parses and is canonically formatted
//	                              (byte-identical to hclwrite.Format, the printer
//	                              behind hclfmt and terraform fmt); every .tftpl
//	                              parses as an HCL template
//	hclcheck -mode=contract DIR   the addresses and lifecycle rules that xdeploy,
//	                              its fake terraform and the safety story rely on
//
// Built in GOPATH mode against Debian's golang-github-hashicorp-hcl-v2-dev.
// Exit 0 = all good, 1 = at least one finding (each printed on stderr), 2 = usage.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

type checker struct {
	findings []string
}

func (c *checker) failf(format string, args ...interface{}) {
	c.findings = append(c.findings, fmt.Sprintf(format, args...))
}

func main() {
	mode := flag.String("mode", "", "format or contract")
	flag.Parse()
	if flag.NArg() != 1 || (*mode != "format" && *mode != "contract") {
		fmt.Fprintln(os.Stderr, "usage: hclcheck -mode=format|contract TERRAFORM_DIR")
		os.Exit(2)
	}
	root := flag.Arg(0)
	c := &checker{}
	// A symlinked directory is checked as the directory it points to
	// (filepath.Walk does not follow a symlinked root).
	if resolved, err := filepath.EvalSymlinks(root); err != nil {
		c.failf("%s: %v", root, err)
	} else if *mode == "format" {
		c.checkFormat(resolved)
	} else {
		c.checkContract(resolved)
	}
	for _, f := range c.findings {
		fmt.Fprintln(os.Stderr, "hclcheck: FAIL "+f)
	}
	if len(c.findings) > 0 {
		fmt.Fprintf(os.Stderr, "hclcheck: %d finding(s) in %s (%s)\n", len(c.findings), root, *mode)
		os.Exit(1)
	}
	fmt.Printf("hclcheck: %s OK (%s)\n", root, *mode)
}

// ---------------------------------------------------------------------------
// format mode
// ---------------------------------------------------------------------------

// sourceFiles lists files with the given suffix under root, skipping
// .terraform (provider caches) and tests (this tool and its fixtures).
func sourceFiles(root, suffix string) []string {
	var out []string
	filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		if info.IsDir() && path != root && (info.Name() == ".terraform" || info.Name() == "tests") {
			return filepath.SkipDir
		}
		if !info.IsDir() && strings.HasSuffix(path, suffix) {
			out = append(out, path)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

func (c *checker) checkFormat(root string) {
	tfFiles := sourceFiles(root, ".tf")
	if len(tfFiles) == 0 {
		c.failf("%s: no .tf files found", root)
	}
	for _, path := range tfFiles {
		src, err := ioutil.ReadFile(path)
		if err != nil {
			c.failf("%s: %v", path, err)
			continue
		}
		if _, diags := hclsyntax.ParseConfig(src, path, hcl.Pos{Line: 1, Column: 1}); diags.HasErrors() {
			c.failf("%s does not parse: %s", path, diags.Error())
			continue
		}
		if formatted := hclwrite.Format(src); !bytes.Equal(formatted, src) {
			c.failf("%s is not canonically formatted (line %d differs; fix with hclfmt -w %s)",
				path, firstDifferentLine(src, formatted), path)
		}
	}
	for _, path := range sourceFiles(root, ".tftpl") {
		src, err := ioutil.ReadFile(path)
		if err != nil {
			c.failf("%s: %v", path, err)
			continue
		}
		if _, diags := hclsyntax.ParseTemplate(src, path, hcl.Pos{Line: 1, Column: 1}); diags.HasErrors() {
			c.failf("%s does not parse as a template: %s", path, diags.Error())
		}
	}
}

func firstDifferentLine(a, b []byte) int {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return i + 1
		}
	}
	if len(la) < len(lb) {
		return len(la) + 1
	}
	return len(lb) + 1
}

// ---------------------------------------------------------------------------
// contract mode
// ---------------------------------------------------------------------------

// module is every top-level block of one Terraform module directory.
type module struct {
	dir    string
	blocks []*hclsyntax.Block
}

func (c *checker) loadModule(dir string) *module {
	m := &module{dir: dir}
	parser := hclparse.NewParser()
	files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	if len(files) == 0 {
		c.failf("%s: no .tf files (module missing)", dir)
	}
	for _, path := range files {
		f, diags := parser.ParseHCLFile(path)
		if diags.HasErrors() {
			c.failf("%s does not parse: %s", path, diags.Error())
			continue
		}
		m.blocks = append(m.blocks, f.Body.(*hclsyntax.Body).Blocks...)
	}
	return m
}

func (m *module) find(typ string, labels ...string) *hclsyntax.Block {
	for _, b := range m.blocks {
		if b.Type != typ || len(b.Labels) != len(labels) {
			continue
		}
		match := true
		for i := range labels {
			match = match && b.Labels[i] == labels[i]
		}
		if match {
			return b
		}
	}
	return nil
}

func (c *checker) require(m *module, what string, typ string, labels ...string) *hclsyntax.Block {
	b := m.find(typ, labels...)
	if b == nil {
		c.failf("%s: %s missing (%s %q)", m.dir, what, typ, strings.Join(labels, "."))
	}
	return b
}

func subBlocks(b *hclsyntax.Block, typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	if b == nil {
		return out
	}
	for _, sb := range b.Body.Blocks {
		if sb.Type == typ {
			out = append(out, sb)
		}
	}
	return out
}

func lifecycle(b *hclsyntax.Block) *hclsyntax.Block {
	if l := subBlocks(b, "lifecycle"); len(l) > 0 {
		return l[0]
	}
	return nil
}

// literal is the constant value of `name = <literal>`, or cty.NilVal when the
// attribute is absent or not a constant.
func literal(b *hclsyntax.Block, name string) (value cty.Value, present bool) {
	if b == nil {
		return cty.NilVal, false
	}
	attr, ok := b.Body.Attributes[name]
	if !ok {
		return cty.NilVal, false
	}
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() || v.IsNull() || !v.IsKnown() {
		return cty.NilVal, true
	}
	return v, true
}

func literalBool(b *hclsyntax.Block, name string) (value bool, present bool) {
	v, present := literal(b, name)
	return v != cty.NilVal && v.Type() == cty.Bool && v.True(), present
}

func literalNumber(b *hclsyntax.Block, name string) (int64, bool) {
	v, _ := literal(b, name)
	if v == cty.NilVal || v.Type() != cty.Number {
		return 0, false
	}
	i, _ := v.AsBigFloat().Int64()
	return i, true
}

func literalString(b *hclsyntax.Block, name string) string {
	v, _ := literal(b, name)
	if v == cty.NilVal || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// traversals is every reference in an attribute, rendered as "a.b.c".
func traversals(b *hclsyntax.Block, name string) []string {
	if b == nil {
		return nil
	}
	attr, ok := b.Body.Attributes[name]
	if !ok {
		return nil
	}
	var out []string
	for _, t := range attr.Expr.Variables() {
		var parts []string
		for _, step := range t {
			switch s := step.(type) {
			case hcl.TraverseRoot:
				parts = append(parts, s.Name)
			case hcl.TraverseAttr:
				parts = append(parts, s.Name)
			}
		}
		out = append(out, strings.Join(parts, "."))
	}
	return out
}

func contains(list []string, want string) bool {
	for _, s := range list {
		if s == want {
			return true
		}
	}
	return false
}

func keyword(b *hclsyntax.Block, name string) string {
	if b == nil {
		return ""
	}
	if attr, ok := b.Body.Attributes[name]; ok {
		return hcl.ExprAsKeyword(attr.Expr)
	}
	return ""
}

func (c *checker) checkContract(root string) {
	rootMod := c.loadModule(root)
	slot := c.loadModule(filepath.Join(root, "modules", "slot"))
	upgrade := c.loadModule(filepath.Join(root, "modules", "upgrade"))

	c.checkRoot(rootMod)
	c.checkSlot(slot)
	c.checkUpgrade(upgrade)
	for _, m := range []*module{rootMod, slot, upgrade} {
		c.checkVariablesDocumented(m)
		c.checkOnlyMirroredProviders(m)
	}
}

// The machines' provider mirror holds hashicorp/aws and nothing else, so
// `init` works offline only if no module needs another provider (the old
// data "http" gate needed hashicorp/http). Built-ins (terraform_data) are fine.
func (c *checker) checkOnlyMirroredProviders(m *module) {
	for _, b := range m.blocks {
		if b.Type == "terraform" {
			for _, rp := range subBlocks(b, "required_providers") {
				for name := range rp.Body.Attributes {
					if name != "aws" {
						c.failf("%s: required provider %q is not in the provider mirror (only hashicorp/aws is)", m.dir, name)
					}
				}
			}
		}
		if (b.Type == "data" || b.Type == "resource") && len(b.Labels) == 2 &&
			!strings.HasPrefix(b.Labels[0], "aws_") && b.Labels[0] != "terraform_data" {
			c.failf("%s: %s %q needs a provider outside the mirror (only hashicorp/aws and built-ins)", m.dir, b.Type, strings.Join(b.Labels, "."))
		}
	}
}

func (c *checker) checkRoot(m *module) {
	if v := c.require(m, "the slot contract variable", "variable", "deploy"); v != nil {
		if kw := keyword(v, "type"); kw != "string" {
			c.failf("%s: variable \"deploy\" must have type = string (xdeploy passes -var=deploy=green,blue), got %q", m.dir, kw)
		}
		if len(subBlocks(v, "validation")) == 0 {
			c.failf("%s: variable \"deploy\" has no validation block", m.dir)
		}
	}
	if s := c.require(m, "the per-color slot module", "module", "slot"); s != nil {
		if _, ok := s.Body.Attributes["for_each"]; !ok {
			c.failf("%s: module \"slot\" must use for_each over the deployed colors", m.dir)
		}
	}
	if v := c.require(m, "the attestation variable", "variable", "verified"); v != nil {
		if kw := keyword(v, "type"); kw != "string" {
			c.failf("%s: variable \"verified\" must have type = string (xdeploy passes -var=verified=green), got %q", m.dir, kw)
		}
		if d, present := literal(v, "default"); !present || d != cty.NilVal {
			c.failf("%s: variable \"verified\" must default to null (no attestation unless one is given)", m.dir)
		}
	}
	if u := c.require(m, "the upgrade (health gate + static IP) module", "module", "upgrade"); u != nil {
		if !contains(traversals(u, "verified"), "var.verified") {
			c.failf("%s: module \"upgrade\" must take verified = var.verified (the attestation)", m.dir)
		}
		if _, ok := u.Body.Attributes["instance_holds_static_ip"]; !ok {
			c.failf("%s: module \"upgrade\" needs instance_holds_static_ip (verbs that do not move the IP need no attestation)", m.dir)
		}
		for _, meta := range []string{"count", "for_each"} {
			if _, ok := u.Body.Attributes[meta]; ok {
				c.failf("%s: module \"upgrade\" must always be present (no %s)", m.dir, meta)
			}
		}
	}
	if ip := c.require(m, "the static IP", "resource", "aws_lightsail_static_ip", "this"); ip != nil {
		if v, _ := literalBool(lifecycle(ip), "prevent_destroy"); !v {
			c.failf("%s: aws_lightsail_static_ip.this must have lifecycle { prevent_destroy = true } (destroying it releases the address)", m.dir)
		}
	}
	for _, name := range []string{"active", "slots", "static_ip", "health_url"} {
		c.require(m, "contract output", "output", name)
	}
	for _, name := range []string{"falconx_api_key", "falconx_secret_key", "falconx_passphrase", "webhook_secret"} {
		if v := c.require(m, "secret variable", "variable", name); v != nil {
			if s, _ := literalBool(v, "sensitive"); !s {
				c.failf("%s: secret variable %q must be sensitive = true", m.dir, name)
			}
			if _, ok := v.Body.Attributes["default"]; ok {
				c.failf("%s: secret variable %q must have no default (set it with TF_VAR_%s)", m.dir, name, name)
			}
		}
	}
}

func (c *checker) checkSlot(m *module) {
	if inst := c.require(m, "the slot instance", "resource", "aws_lightsail_instance", "this"); inst != nil {
		for _, arg := range []string{"name", "availability_zone", "blueprint_id", "bundle_id", "user_data"} {
			if _, ok := inst.Body.Attributes[arg]; !ok {
				c.failf("%s: aws_lightsail_instance.this is missing %q", m.dir, arg)
			}
		}
		// Frozen at creation: a new build, secret or size must never replace
		// both slots (prod included) in one plan.
		for _, arg := range []string{"user_data", "tags", "bundle_id", "ip_address_type"} {
			if !contains(traversals(lifecycle(inst), "ignore_changes"), arg) {
				c.failf("%s: aws_lightsail_instance.this needs %s in lifecycle.ignore_changes (per-color: it reaches a slot only when the slot is created or replaced)", m.dir, arg)
			}
		}
		// TradingView has no IPv6, the firewall rules are IPv4 CIDRs, and an
		// IPv6 address would bypass the static IP.
		if literalString(inst, "ip_address_type") != "ipv4" {
			c.failf("%s: aws_lightsail_instance.this needs ip_address_type = \"ipv4\" (a dual-stack slot's IPv6 address bypasses the static IP and the IPv4 firewall)", m.dir)
		}
	}
	ports := c.require(m, "the slot firewall", "resource", "aws_lightsail_instance_public_ports", "this")
	if ports == nil {
		return
	}
	if !contains(traversals(lifecycle(ports), "replace_triggered_by"), "aws_lightsail_instance.this.id") {
		c.failf("%s: aws_lightsail_instance_public_ports.this needs lifecycle { replace_triggered_by = [aws_lightsail_instance.this.id] } (provider issue #20680)", m.dir)
	}
	if !contains(traversals(lifecycle(ports), "ignore_changes"), "port_info") {
		c.failf("%s: aws_lightsail_instance_public_ports.this needs ignore_changes = [port_info] (per-color: a new health_port or CIDR list must not rewire prod in place)", m.dir)
	}
	for _, pi := range subBlocks(ports, "port_info") {
		from, fromOK := literalNumber(pi, "from_port")
		to, toOK := literalNumber(pi, "to_port")
		if fromOK && toOK && from == 0 && to == 65535 {
			c.failf("%s: aws_lightsail_instance_public_ports.this opens every port (0-65535); open only what the service needs", m.dir)
		}
		if literalString(pi, "protocol") == "all" {
			c.failf("%s: aws_lightsail_instance_public_ports.this uses protocol \"all\"; open only what the service needs", m.dir)
		}
	}
}

func (c *checker) checkUpgrade(m *module) {
	if g := c.require(m, "the health gate", "resource", "terraform_data", "healthy"); g != nil {
		pre := subBlocks(lifecycle(g), "precondition")
		if len(pre) == 0 {
			c.failf("%s: terraform_data.healthy needs a lifecycle precondition on the attestation", m.dir)
		} else {
			cond := traversals(pre[0], "condition")
			if !contains(cond, "var.verified") || !contains(cond, "var.active_color") {
				c.failf("%s: terraform_data.healthy's precondition must compare var.verified with var.active_color (the attestation)", m.dir)
			}
		}
		for _, arg := range []string{"input", "triggers_replace"} {
			if _, ok := g.Body.Attributes[arg]; !ok {
				c.failf("%s: terraform_data.healthy needs %s", m.dir, arg)
			}
		}
	}
	att := c.require(m, "the static IP attachment", "resource", "aws_lightsail_static_ip_attachment", "this")
	if att == nil {
		return
	}
	if _, present := literalBool(lifecycle(att), "create_before_destroy"); present {
		c.failf("%s: aws_lightsail_static_ip_attachment.this must not set create_before_destroy (the old attachment's delete would detach the IP from the new instance)", m.dir)
	}
	if !contains(traversals(att, "instance_name"), "terraform_data.healthy.output") {
		c.failf("%s: aws_lightsail_static_ip_attachment.this must take instance_name = terraform_data.healthy.output (the dependency is the gate)", m.dir)
	}
	if !contains(traversals(lifecycle(att), "replace_triggered_by"), "terraform_data.healthy") {
		c.failf("%s: aws_lightsail_static_ip_attachment.this needs lifecycle { replace_triggered_by = [terraform_data.healthy] } (provider issue #10143)", m.dir)
	}
}

// Every variable documents itself: a description and an explicit type.
func (c *checker) checkVariablesDocumented(m *module) {
	for _, b := range m.blocks {
		if b.Type != "variable" || len(b.Labels) != 1 {
			continue
		}
		for _, arg := range []string{"description", "type"} {
			if _, ok := b.Body.Attributes[arg]; !ok {
				c.failf("%s: variable %q has no %s", m.dir, b.Labels[0], arg)
			}
		}
	}
}
