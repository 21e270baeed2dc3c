//! Small constructors over hcl-rs, so the generators read like the HCL they build.

use hcl::expr::{Traversal, Variable};
use hcl::{Attribute, Block, Expression, Identifier, Object, ObjectKey};

pub fn string(value: &str) -> Expression {
    Expression::String(value.to_owned())
}

pub fn strings<'a>(values: impl IntoIterator<Item = &'a str>) -> Expression {
    Expression::Array(values.into_iter().map(string).collect())
}

/// `root.a.b`: a reference Terraform resolves and orders by itself.
pub fn reference(root: &str, attrs: &[&str]) -> Expression {
    let mut builder = Traversal::builder(Variable::unchecked(root));
    for attr in attrs {
        builder = builder.attr(Identifier::unchecked(*attr));
    }
    Expression::from(builder.build())
}

pub fn attr(key: &str, value: Expression) -> Attribute {
    Attribute::new(Identifier::unchecked(key), value)
}

/// A map whose keys are written bare where HCL allows it and quoted otherwise.
pub fn object<'a>(entries: impl IntoIterator<Item = (&'a str, Expression)>) -> Expression {
    let mut object = Object::new();
    for (key, value) in entries {
        let key = match Identifier::new(key) {
            Ok(id) => ObjectKey::Identifier(id),
            Err(_) => ObjectKey::Expression(string(key)),
        };
        object.insert(key, value);
    }
    Expression::Object(object)
}

pub fn block(kind: &str, labels: &[&str], attrs: Vec<Attribute>, blocks: Vec<Block>) -> Block {
    Block::builder(Identifier::unchecked(kind))
        .add_labels(labels.iter().map(|l| (*l).to_owned()))
        .add_attributes(attrs)
        .add_blocks(blocks)
        .build()
}

pub fn func(name: &str, args: Vec<Expression>) -> Expression {
    let mut call = hcl::expr::FuncCall::builder(Identifier::unchecked(name));
    for arg in args {
        call = call.arg(arg);
    }
    Expression::from(call.build())
}
